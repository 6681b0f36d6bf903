#include "core/model/gpt_config.h"

#include "core/common/error.h"

namespace temper {
namespace {

void requireRange(const char* field, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    throwConfigError("`" + std::string(field) + "` is " + std::to_string(value) + "; allowed: " + std::to_string(min) +
                     " to " + std::to_string(max));
  }
}

int64_t getInt(const Json& json, const char* key, const std::string& source) {
  auto it = json.find(key);
  if (it == json.end() || !it->is_number_integer()) {
    throwInputError(source + ": field `" + key + "` is missing or not an integer");
  }
  return it->get<int64_t>();
}

}  // namespace

int64_t GptConfig::parameterCount() const {
  int64_t bias_terms = bias ? 1 : 0;
  int64_t per_layer = 2 * 2 * dim                                     // two LayerNorms (weight + bias)
                      + dim * 3 * dim + bias_terms * 3 * dim          // c_attn
                      + dim * dim + bias_terms * dim                  // attn c_proj
                      + dim * mlpHidden() + bias_terms * mlpHidden()  // c_fc
                      + mlpHidden() * dim + bias_terms * dim;         // mlp c_proj
  return vocab_size * dim + context * dim + layers * per_layer + 2 * dim;
}

void GptConfig::validate() const {
  requireRange("vocab-size", vocab_size, 2, 1 << 22);
  requireRange("ctx", context, 2, 1 << 16);
  requireRange("dim", dim, 8, 1 << 15);
  requireRange("layers", layers, 1, 256);
  requireRange("heads", heads, 1, 256);
  if (dim % heads != 0) {
    throwConfigError("`heads` (" + std::to_string(heads) + ") must divide `dim` (" + std::to_string(dim) +
                     "); e.g. heads " + std::to_string(dim % 4 == 0 ? 4 : 1) + " works");
  }
  if (mlp_hidden != 0) requireRange("mlp-hidden", mlp_hidden, 1, 1 << 17);
  if (!(dropout >= 0.0 && dropout < 1.0)) {
    throwConfigError("`dropout` is " + std::to_string(dropout) + "; allowed: 0 to below 1");
  }
}

std::vector<std::string> presetNames() { return {"tiny", "small", "gpt2-124m"}; }

GptConfig presetConfig(const std::string& name) {
  GptConfig config;
  if (name == "tiny") {
    config.layers = 2;
    config.dim = 128;
    config.heads = 4;
    config.context = 128;
  } else if (name == "small") {
    config.layers = 6;
    config.dim = 384;
    config.heads = 6;
    config.context = 256;
  } else if (name == "gpt2-124m") {
    config.layers = 12;
    config.dim = 768;
    config.heads = 12;
    config.context = 1024;
  } else {
    throwConfigError("`preset` is \"" + name + "\"; allowed: tiny, small, gpt2-124m");
  }
  return config;
}

Json toHfConfig(const GptConfig& c) {
  Json json = {
      {"architectures", {"GPT2LMHeadModel"}},
      {"model_type", "gpt2"},
      {"vocab_size", c.vocab_size},
      {"n_positions", c.context},
      {"n_ctx", c.context},
      {"n_embd", c.dim},
      {"n_layer", c.layers},
      {"n_head", c.heads},
      {"n_inner", c.mlp_hidden > 0 ? Json(c.mlp_hidden) : Json(nullptr)},
      {"activation_function", "gelu_new"},
      {"resid_pdrop", c.dropout},
      {"embd_pdrop", c.dropout},
      {"attn_pdrop", c.dropout},
      {"layer_norm_epsilon", c.layer_norm_eps},
      {"initializer_range", 0.02},
      {"scale_attn_weights", true},
      {"tie_word_embeddings", true},
      {"torch_dtype", "float32"},
      {"temper_bias", c.bias},
  };
  if (c.bos_id >= 0) json["bos_token_id"] = c.bos_id;
  if (c.eos_id >= 0) json["eos_token_id"] = c.eos_id;
  if (c.pad_id >= 0) json["pad_token_id"] = c.pad_id;
  return json;
}

GptConfig fromHfConfig(const Json& json, const std::string& source) {
  if (!json.is_object()) throwInputError(source + ": expected a JSON object");
  std::string model_type = json.value("model_type", "");
  if (model_type != "gpt2") {
    throwInputError(source + ": `model_type` is \"" + model_type + "\"; this loader reads \"gpt2\"");
  }
  std::string activation = json.value("activation_function", "gelu_new");
  if (activation != "gelu_new" && activation != "gelu_pytorch_tanh") {
    throwInputError(source + ": `activation_function` \"" + activation + "\" is not supported (gelu_new)");
  }
  GptConfig c;
  c.vocab_size = getInt(json, "vocab_size", source);
  c.context = getInt(json, "n_positions", source);
  c.dim = getInt(json, "n_embd", source);
  c.layers = getInt(json, "n_layer", source);
  c.heads = getInt(json, "n_head", source);
  if (auto it = json.find("n_inner"); it != json.end() && it->is_number_integer()) c.mlp_hidden = it->get<int64_t>();
  c.dropout = json.value("resid_pdrop", 0.0);
  c.layer_norm_eps = json.value("layer_norm_epsilon", 1e-5);
  c.bias = json.value("temper_bias", true);
  auto readId = [&](const char* key) -> int64_t {
    auto it = json.find(key);
    return it != json.end() && it->is_number_integer() ? it->get<int64_t>() : -1;
  };
  c.bos_id = readId("bos_token_id");
  c.eos_id = readId("eos_token_id");
  c.pad_id = readId("pad_token_id");
  try {
    c.validate();
  } catch (const Error& e) {
    throwInputError(source + ": " + e.what());
  }
  return c;
}

}  // namespace temper
