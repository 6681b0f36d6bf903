#include "core/engine/dry_run.h"

#include "core/common/error.h"
#include "core/data/dataset_meta.h"
#include "core/methods/model_source.h"
#include "core/model/gpt_config.h"
#include "core/model/hf_model.h"

namespace temper {
namespace {

int64_t sizeKey(const Json& config, const char* key, int64_t fallback = -1) {
  if (config.contains(key) && config[key].is_number_integer()) return config[key].get<int64_t>();
  if (fallback >= 0) return fallback;
  throwInputError(std::string("config.json: `") + key + "` is missing or not an integer");
}

}  // namespace

ModelShape modelShapeFromHfConfig(const std::string& family, const Json& c) {
  ModelShape s;
  s.family = family;
  if (family == "gpt2") {
    s.layers = sizeKey(c, "n_layer");
    s.hidden = sizeKey(c, "n_embd");
    s.heads = sizeKey(c, "n_head");
    s.intermediate = c.contains("n_inner") && c["n_inner"].is_number_integer() ? c["n_inner"].get<int64_t>() : 0;
    s.vocab = sizeKey(c, "vocab_size");
    s.ctx = sizeKey(c, "n_positions");
    s.tied = true;
    return s;
  }
  s.layers = sizeKey(c, "num_hidden_layers");
  s.hidden = sizeKey(c, "hidden_size");
  s.heads = sizeKey(c, "num_attention_heads");
  s.kv_heads = sizeKey(c, "num_key_value_heads", s.heads);
  s.head_dim = sizeKey(c, "head_dim", 0);
  s.intermediate = sizeKey(c, "intermediate_size");
  s.vocab = sizeKey(c, "vocab_size");
  s.ctx = sizeKey(c, "max_position_embeddings");
  s.tied = c.value("tie_word_embeddings", false);
  const bool qwen2 = c.value("model_type", std::string()) == "qwen2";
  const bool attention_bias = c.value("attention_bias", false);
  s.qkv_bias = qwen2 || attention_bias;
  s.o_bias = attention_bias;
  s.mlp_bias = c.value("mlp_bias", false);
  return s;
}

Json dryRun(const TrainConfig& config, const RuntimeInfo& runtime) {
  ModelShape shape;
  std::string base = "scratch";
  if (config.method == "pretrain") {
    DatasetMeta meta = readDatasetMeta(config.data);
    GptConfig g = config.preset.empty() ? GptConfig{} : presetConfig(config.preset);
    if (config.layers) g.layers = config.layers;
    if (config.dim) g.dim = config.dim;
    if (config.heads) g.heads = config.heads;
    if (config.ctx) g.context = config.ctx;
    g.vocab_size = meta.vocab_size;
    g.bias = config.bias;
    g.validate();
    shape = ModelShape{.family = "gpt2", .layers = g.layers, .hidden = g.dim, .heads = g.heads, .kv_heads = 0,
                       .head_dim = 0, .intermediate = g.mlpHidden(), .vocab = g.vocab_size, .ctx = g.context,
                       .tied = true, .qkv_bias = g.bias, .o_bias = g.bias, .mlp_bias = g.bias};
  } else {
    HfModelInfo info = inspectHfModel(config.base);
    if (info.task == "sequence-classification" && config.method != "classify") refuseClassifierBase(config.base);
    shape = modelShapeFromHfConfig(info.family, info.config);
    base = info.dir.string();
  }
  TrainShape train;
  train.batch_size = config.batch_size;
  train.seq_len = config.ctx > 0 ? std::min(config.ctx, shape.ctx) : shape.ctx;
  train.device = runtime.device;
  if (config.method == "classify" && config.train_last_blocks >= 0) {
    // The trained blocks hold as many parameters as a model of that many blocks minus one of none.
    ModelShape some = shape, none = shape;
    some.layers = config.train_last_blocks;
    none.layers = 0;
    train.trainable_parameters = parameterCount(some) - parameterCount(none);
    train.recorded_blocks = config.train_last_blocks;
  }
  MemoryEstimate estimate = estimateTrainingMemory(shape, train);
  return Json{{"method", config.method}, {"base", base}, {"seq_len", train.seq_len},
              {"batch_size", train.batch_size}, {"estimate", estimate.toJson()}};
}

}  // namespace temper
