#include "core/model/llama_config.h"

#include "core/common/error.h"

namespace temper {
namespace {

void requireRange(const char* key, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    throwConfigError("`" + std::string(key) + "` is " + std::to_string(value) + "; allowed: " + std::to_string(min) +
                     " to " + std::to_string(max));
  }
}

/// Reads config.json and names it and the key in every complaint.
class Reader {
 public:
  Reader(const Json& json, const std::string& source) : json_(json), source_(source) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throwInputError(source_ + ": `" + key + "` " + what);
  }
  bool has(const char* key) const {
    auto it = json_.find(key);
    return it != json_.end() && !it->is_null();
  }
  int64_t integer(const char* key) const {
    auto it = json_.find(key);
    if (it == json_.end() || it->is_null()) fail(key, "is missing; expected an integer");
    if (!it->is_number_integer()) fail(key, "is " + it->dump() + "; expected an integer");
    return it->get<int64_t>();
  }
  int64_t integer(const char* key, int64_t fallback) const { return has(key) ? integer(key) : fallback; }
  double number(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    const Json& value = json_.at(key);
    if (!value.is_number()) fail(key, "is " + value.dump() + "; expected a number");
    return value.get<double>();
  }
  bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const Json& value = json_.at(key);
    if (!value.is_boolean()) fail(key, "is " + value.dump() + "; expected true or false");
    return value.get<bool>();
  }
  std::string text(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const Json& value = json_.at(key);
    if (!value.is_string()) fail(key, "is " + value.dump() + "; expected a string");
    return value.get<std::string>();
  }
  /// bos/eos/pad: an integer, a list of integers (the first is kept) or null.
  int64_t tokenId(const char* key) const {
    if (!has(key)) return -1;
    const Json& value = json_.at(key);
    if (value.is_number_integer()) return value.get<int64_t>();
    if (value.is_array() && !value.empty() && value[0].is_number_integer()) return value[0].get<int64_t>();
    if (value.is_array() && value.empty()) return -1;
    fail(key, "is " + value.dump() + "; expected a token id or a list of them");
  }

 private:
  const Json& json_;
  const std::string& source_;
};

/// `rope_scaling` (or transformers 5's `rope_parameters`): default, linear and llama3 only. The others
/// change the frequencies with the sequence length or rescale attention, which Temper does not
/// reproduce; loading such a model silently without them would give wrong logits.
RopeScaling readRopeScaling(const Json& scaling, const std::string& key, const std::string& source) {
  RopeScaling rope;
  if (scaling.is_null()) return rope;
  auto fail = [&](const std::string& what) { throwInputError(source + ": `" + key + "` " + what); };
  if (!scaling.is_object()) fail("is " + scaling.dump() + "; expected an object or null");
  std::string type;
  for (const char* name : {"rope_type", "type"}) {
    if (scaling.contains(name) && scaling[name].is_string()) {
      type = scaling[name].get<std::string>();
      break;
    }
  }
  if (type.empty() || type == "default") return rope;
  auto number = [&](const char* name) {
    if (!scaling.contains(name) || !scaling[name].is_number()) {
      fail("of type \"" + type + "\" needs a number `" + name + "`");
    }
    return scaling[name].get<double>();
  };
  if (type == "linear") {
    rope.kind = RopeScaling::Kind::Linear;
    rope.factor = number("factor");
    if (!(rope.factor > 0.0)) fail("has factor " + std::to_string(rope.factor) + "; expected a positive number");
    return rope;
  }
  if (type == "llama3") {
    rope.kind = RopeScaling::Kind::Llama3;
    rope.factor = number("factor");
    rope.low_freq_factor = number("low_freq_factor");
    rope.high_freq_factor = number("high_freq_factor");
    if (!scaling.contains("original_max_position_embeddings") ||
        !scaling["original_max_position_embeddings"].is_number_integer()) {
      fail("of type \"llama3\" needs an integer `original_max_position_embeddings`");
    }
    rope.original_max_positions = scaling["original_max_position_embeddings"].get<int64_t>();
    if (!(rope.factor > 0.0) || !(rope.low_freq_factor > 0.0) || !(rope.high_freq_factor > rope.low_freq_factor) ||
        rope.original_max_positions <= 0) {
      fail(
          "of type \"llama3\" needs factor > 0, 0 < low_freq_factor < high_freq_factor and "
          "original_max_position_embeddings > 0; got " +
          scaling.dump());
    }
    return rope;
  }
  throwInputError(source + ": `" + key + "` has type \"" + type +
                  "\", which Temper does not support (supported: default, linear, llama3)");
}

bool slidingWindowInUse(const Reader& read, const std::string& model_type) {
  // transformers' defaults: Mistral applies `sliding_window` whenever it is set; Qwen2 only with
  // `use_sliding_window: true`; Llama has no window.
  if (model_type == "llama") return false;
  return read.boolean("use_sliding_window", model_type == "mistral");
}

}  // namespace

int64_t LlamaConfig::parameterCount() const {
  const int64_t q = heads * head_dim, kv = kv_heads * head_dim;
  const int64_t attention = hidden_size * q + 2 * hidden_size * kv + q * hidden_size + (qkv_bias ? q + 2 * kv : 0) +
                            (o_bias ? hidden_size : 0);
  const int64_t mlp = 3 * hidden_size * intermediate_size + (mlp_bias ? 2 * intermediate_size + hidden_size : 0);
  const int64_t per_layer = 2 * hidden_size + attention + mlp;
  return vocab_size * hidden_size * (tie_word_embeddings ? 1 : 2) + layers * per_layer + hidden_size;
}

void LlamaConfig::validate() const {
  requireRange("vocab_size", vocab_size, 2, 1 << 22);
  requireRange("hidden_size", hidden_size, 2, 1 << 16);
  requireRange("intermediate_size", intermediate_size, 1, 1 << 20);
  requireRange("num_hidden_layers", layers, 1, 1024);
  requireRange("num_attention_heads", heads, 1, 1024);
  requireRange("num_key_value_heads", kv_heads, 1, heads);
  requireRange("head_dim", head_dim, 2, 1 << 12);
  requireRange("max_position_embeddings", max_positions, 1, int64_t{1} << 24);
  if (heads % kv_heads != 0) {
    throwConfigError("`num_key_value_heads` (" + std::to_string(kv_heads) + ") must divide `num_attention_heads` (" +
                     std::to_string(heads) + ")");
  }
  if (head_dim % 2 != 0) {
    throwConfigError("`head_dim` is " + std::to_string(head_dim) + "; rotary embeddings need an even head size");
  }
  if (!(rms_norm_eps > 0.0)) throwConfigError("`rms_norm_eps` must be positive");
  if (!(rope_theta > 0.0)) throwConfigError("`rope_theta` must be positive");
  if (!(attention_dropout >= 0.0 && attention_dropout < 1.0)) {
    throwConfigError("`attention_dropout` is " + std::to_string(attention_dropout) + "; allowed: 0 to below 1");
  }
  if (sliding_window < 0) throwConfigError("`sliding_window` must be positive");
  if (model_type != "qwen2" && qkv_bias != o_bias) {
    throwConfigError("`attention_bias` puts biases on q, k, v and o_proj alike for " + model_type +
                     "; q/k/v biases alone are Qwen2's layout");
  }
}

LlamaConfig fromHfLlamaConfig(const Json& json, const std::string& source) {
  if (!json.is_object()) throwInputError(source + ": expected a JSON object");
  Reader read(json, source);
  LlamaConfig c;
  c.model_type = read.text("model_type", "llama");
  if (c.model_type != "llama" && c.model_type != "mistral" && c.model_type != "qwen2") {
    read.fail("model_type", "is \"" + c.model_type + "\"; this loader reads llama, mistral and qwen2");
  }
  c.architecture = c.model_type == "mistral" ? "MistralForCausalLM"
                   : c.model_type == "qwen2" ? "Qwen2ForCausalLM"
                                             : "LlamaForCausalLM";
  const std::string act = read.text("hidden_act", "silu");
  if (act != "silu") read.fail("hidden_act", "is \"" + act + "\"; the Llama family Temper loads uses \"silu\"");
  c.vocab_size = read.integer("vocab_size");
  c.hidden_size = read.integer("hidden_size");
  c.intermediate_size = read.integer("intermediate_size");
  c.layers = read.integer("num_hidden_layers");
  c.heads = read.integer("num_attention_heads");
  if (c.heads < 1) read.fail("num_attention_heads", "is " + std::to_string(c.heads) + "; expected at least 1");
  c.kv_heads = read.integer("num_key_value_heads", c.heads);
  if (read.has("head_dim")) {
    c.head_dim = read.integer("head_dim");
  } else {
    if (c.hidden_size % c.heads != 0) {
      read.fail("num_attention_heads", "(" + std::to_string(c.heads) + ") does not divide `hidden_size` (" +
                                           std::to_string(c.hidden_size) + ") and there is no `head_dim`");
    }
    c.head_dim = c.hidden_size / c.heads;
  }
  c.rms_norm_eps = read.number("rms_norm_eps", 1e-6);
  c.rope_theta = read.number("rope_theta", 10000.0);
  if (read.has("rope_parameters")) {
    // transformers 5 keeps theta and the scaling together under this key.
    const Json& params = json.at("rope_parameters");
    c.rope_scaling = readRopeScaling(params, "rope_parameters", source);
    if (params.is_object() && params.contains("rope_theta") && params["rope_theta"].is_number()) {
      c.rope_theta = params["rope_theta"].get<double>();
    }
  } else if (json.contains("rope_scaling")) {
    c.rope_scaling = readRopeScaling(json.at("rope_scaling"), "rope_scaling", source);
  }
  if (read.number("partial_rotary_factor", 1.0) != 1.0) {
    read.fail("partial_rotary_factor", "is not 1; Temper rotates whole heads only");
  }
  c.max_positions = read.integer("max_position_embeddings", 2048);
  if (read.has("sliding_window") && slidingWindowInUse(read, c.model_type)) {
    c.sliding_window = read.integer("sliding_window");
  }
  c.tie_word_embeddings = read.boolean("tie_word_embeddings", false);
  if (c.model_type == "qwen2") {
    c.qkv_bias = true;  // Qwen2's attention hard-codes q/k/v biases and none on o_proj
    c.o_bias = false;
  } else {
    c.qkv_bias = c.o_bias = read.boolean("attention_bias", false);
  }
  c.mlp_bias = read.boolean("mlp_bias", false);
  c.attention_dropout = read.number("attention_dropout", 0.0);
  c.initializer_range = read.number("initializer_range", 0.02);
  c.bos_id = read.tokenId("bos_token_id");
  c.eos_id = read.tokenId("eos_token_id");
  c.pad_id = read.tokenId("pad_token_id");
  try {
    c.validate();
  } catch (const Error& e) {
    throwInputError(source + ": " + e.what());
  }
  return c;
}

Json toHfLlamaConfig(const LlamaConfig& c) {
  Json json = {
      {"architectures", {c.architecture}},
      {"model_type", c.model_type},
      {"vocab_size", c.vocab_size},
      {"hidden_size", c.hidden_size},
      {"intermediate_size", c.intermediate_size},
      {"num_hidden_layers", c.layers},
      {"num_attention_heads", c.heads},
      {"num_key_value_heads", c.kv_heads},
      {"head_dim", c.head_dim},
      {"hidden_act", "silu"},
      {"max_position_embeddings", c.max_positions},
      {"rms_norm_eps", c.rms_norm_eps},
      {"rope_theta", c.rope_theta},
      {"tie_word_embeddings", c.tie_word_embeddings},
      {"attention_dropout", c.attention_dropout},
      {"initializer_range", c.initializer_range},
      {"torch_dtype", "float32"},
  };
  switch (c.rope_scaling.kind) {
    case RopeScaling::Kind::None:
      json["rope_scaling"] = nullptr;
      break;
    case RopeScaling::Kind::Linear:
      json["rope_scaling"] = {{"rope_type", "linear"}, {"factor", c.rope_scaling.factor}};
      break;
    case RopeScaling::Kind::Llama3:
      json["rope_scaling"] = {{"rope_type", "llama3"},
                              {"factor", c.rope_scaling.factor},
                              {"low_freq_factor", c.rope_scaling.low_freq_factor},
                              {"high_freq_factor", c.rope_scaling.high_freq_factor},
                              {"original_max_position_embeddings", c.rope_scaling.original_max_positions}};
      break;
  }
  if (c.model_type != "qwen2") {
    json["attention_bias"] = c.qkv_bias;
    json["mlp_bias"] = c.mlp_bias;
  }
  if (c.model_type != "llama") {
    json["sliding_window"] = c.sliding_window > 0 ? Json(c.sliding_window) : Json(nullptr);
    if (c.model_type == "qwen2") json["use_sliding_window"] = c.sliding_window > 0;
  }
  if (c.bos_id >= 0) json["bos_token_id"] = c.bos_id;
  if (c.eos_id >= 0) json["eos_token_id"] = c.eos_id;
  if (c.pad_id >= 0) json["pad_token_id"] = c.pad_id;
  return json;
}

}  // namespace temper
