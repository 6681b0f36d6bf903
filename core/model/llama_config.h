#pragma once
/// Shape of a Llama-family model (Llama, Mistral, Qwen2: one implementation, see llama.h) and its
/// Hugging Face `config.json` form.
#include <algorithm>
#include <cstdint>
#include <string>

#include "core/common/json_io.h"
#include "core/model/rope.h"

namespace temper {

struct LlamaConfig {
  std::string model_type = "llama";  ///< "llama", "mistral" or "qwen2"
  std::string architecture = "LlamaForCausalLM";
  int64_t vocab_size = 0;
  int64_t hidden_size = 256;
  int64_t intermediate_size = 688;  ///< SwiGLU width
  int64_t layers = 4;               ///< num_hidden_layers
  int64_t heads = 4;                ///< num_attention_heads
  int64_t kv_heads = 4;             ///< num_key_value_heads: < heads is grouped-query attention
  int64_t head_dim = 64;            ///< head_dim, or hidden_size / heads when config.json has none
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  int64_t max_positions = 2048;  ///< max_position_embeddings
  int64_t sliding_window = 0;    ///< Mistral/Qwen2 window when in use, else 0
  bool tie_word_embeddings = false;
  bool qkv_bias = false;  ///< q/k/v_proj biases (Llama attention_bias; always for Qwen2)
  bool o_bias = false;    ///< o_proj bias (Llama attention_bias only)
  bool mlp_bias = false;
  double attention_dropout = 0.0;
  double initializer_range = 0.02;
  int64_t bos_id = -1;
  int64_t eos_id = -1;  ///< the first one when config.json lists several
  int64_t pad_id = -1;

  /// Longest sequence attended over: max_position_embeddings, or the sliding window when one is in
  /// use and shorter (Temper attends over the whole context, so the window bounds the context).
  int64_t context() const { return sliding_window > 0 ? std::min(max_positions, sliding_window) : max_positions; }
  /// Parameters, a tied head counted once.
  int64_t parameterCount() const;
  /// Throws Error(InvalidConfig) naming the config.json key and the valid range.
  void validate() const;
};

/// Reads a LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM config.json; `source` names the
/// file in error messages. Refuses (Error(InvalidInput) naming the key) rope_scaling types other
/// than default/linear/llama3, a hidden_act other than silu, partial rotary factors and bad sizes.
LlamaConfig fromHfLlamaConfig(const Json& json, const std::string& source);
/// The config.json keys Temper decides for `config` (architectures, model_type, sizes, rope, biases).
Json toHfLlamaConfig(const LlamaConfig& config);

}  // namespace temper
