#pragma once
/// The shape of a decoder-only model as one plain struct, whatever its family: what the memory
/// estimate (train/memory_estimate.h), the dry run and `temper model inspect` reason about. It is
/// made from the families' own configs (GptConfig, LlamaConfig), so a Hugging Face config.json is
/// parsed in exactly one place per family (gpt_config.cpp, llama_config.cpp). Torch-free.
#include <cstdint>
#include <string>

#include "core/common/json_io.h"

namespace temper {

struct GptConfig;
struct LlamaConfig;

/// Family by family: GPT-2 (LayerNorm with bias, learned positions, fused qkv, GELU MLP); the Llama
/// family (RMSNorm, rotary positions, GQA, SwiGLU MLP).
struct ModelShape {
  std::string family = "gpt2";  ///< "gpt2" or "llama"
  int64_t layers = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;      ///< 0: heads (GPT-2 always)
  int64_t head_dim = 0;      ///< 0: hidden / heads
  int64_t intermediate = 0;  ///< MLP width; 0: 4 × hidden (GPT-2's default)
  int64_t vocab = 0;
  int64_t ctx = 0;       ///< context length (GPT-2's learned position table has this many rows)
  bool tied = true;      ///< head shares the token embedding
  bool qkv_bias = true;  ///< GPT-2 `bias`; Llama `attention_bias`; Qwen2 true
  bool o_bias = true;    ///< GPT-2 `bias`; Llama `attention_bias`; Qwen2 false
  bool mlp_bias = true;  ///< GPT-2 `bias`; Llama `mlp_bias`

  int64_t kvHeads() const { return kv_heads > 0 ? kv_heads : heads; }
  int64_t headDim() const { return head_dim > 0 ? head_dim : (heads > 0 ? hidden / heads : 0); }
  int64_t mlpWidth() const { return intermediate > 0 ? intermediate : 4 * hidden; }
  /// Throws Error(InvalidConfig) naming the field for a non-positive size or an unknown family.
  void validate() const;
};

ModelShape modelShape(const GptConfig& config);
/// `ctx` is the context the model attends over (LlamaConfig::context(): a sliding window bounds it).
ModelShape modelShape(const LlamaConfig& config);

/// The shape of a Hugging Face config.json of `family` ("gpt2" or "llama"), read by the family's
/// own parser. Throws Error(InvalidInput) naming `source` and the key when a size is missing or bad.
ModelShape modelShapeFromHfConfig(const std::string& family, const Json& config, const std::string& source);

}  // namespace temper
