#include "core/model/model_shape.h"

#include "core/common/error.h"
#include "core/model/gpt_config.h"
#include "core/model/llama_config.h"

namespace temper {
namespace {

void requirePositive(int64_t value, const char* name) {
  if (value <= 0) {
    throwConfigError("model shape: `" + std::string(name) + "` is " + std::to_string(value) +
                     "; expected a positive number");
  }
}

}  // namespace

void ModelShape::validate() const {
  if (family != "gpt2" && family != "llama") {
    throwConfigError("model shape: `family` is \"" + family + "\"; allowed: gpt2, llama");
  }
  requirePositive(layers, "layers");
  requirePositive(hidden, "hidden");
  requirePositive(heads, "heads");
  requirePositive(vocab, "vocab");
  requirePositive(ctx, "ctx");
  requirePositive(headDim(), "head_dim");
  requirePositive(mlpWidth(), "intermediate");
  if (kvHeads() > heads || heads % kvHeads() != 0) {
    throwConfigError("model shape: `kv_heads` " + std::to_string(kvHeads()) + " must divide `heads` " +
                     std::to_string(heads));
  }
}

ModelShape modelShape(const GptConfig& c) {
  ModelShape s;
  s.family = "gpt2";
  s.layers = c.layers;
  s.hidden = c.dim;
  s.heads = c.heads;
  s.kv_heads = c.heads;
  s.head_dim = c.headDim();
  s.intermediate = c.mlpHidden();
  s.vocab = c.vocab_size;
  s.ctx = c.context;
  s.tied = true;
  s.qkv_bias = s.o_bias = s.mlp_bias = c.bias;
  return s;
}

ModelShape modelShape(const LlamaConfig& c) {
  ModelShape s;
  s.family = "llama";
  s.layers = c.layers;
  s.hidden = c.hidden_size;
  s.heads = c.heads;
  s.kv_heads = c.kv_heads;
  s.head_dim = c.head_dim;
  s.intermediate = c.intermediate_size;
  s.vocab = c.vocab_size;
  s.ctx = c.context();
  s.tied = c.tie_word_embeddings;
  s.qkv_bias = c.qkv_bias;
  s.o_bias = c.o_bias;
  s.mlp_bias = c.mlp_bias;
  return s;
}

ModelShape modelShapeFromHfConfig(const std::string& family, const Json& config, const std::string& source) {
  if (family == "gpt2") return modelShape(fromHfConfig(config, source));
  return modelShape(fromHfLlamaConfig(config, source));
}

}  // namespace temper
