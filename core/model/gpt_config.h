#pragma once
/// Shape of a GPT-2 model, its presets, and its Hugging Face `config.json` form.
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/json_io.h"

namespace temper {

struct GptConfig {
  int64_t vocab_size = 0;
  int64_t context = 256;   ///< n_positions: longest sequence the learned positions cover
  int64_t dim = 256;       ///< n_embd
  int64_t layers = 4;      ///< n_layer
  int64_t heads = 4;       ///< n_head
  int64_t mlp_hidden = 0;  ///< n_inner; 0 means 4 * dim
  double dropout = 0.0;    ///< embedding, attention and residual dropout
  bool bias = true;        ///< biases on the Linear layers (LayerNorms always have theirs)
  double layer_norm_eps = 1e-5;
  int64_t bos_id = -1;
  int64_t eos_id = -1;
  int64_t pad_id = -1;

  int64_t mlpHidden() const { return mlp_hidden > 0 ? mlp_hidden : 4 * dim; }
  int64_t headDim() const { return dim / heads; }
  /// Parameters with the head tied to the embedding (counted once).
  int64_t parameterCount() const;
  /// Throws Error(InvalidConfig) naming the field and the valid range, e.g. heads not dividing dim.
  void validate() const;
};

/// `tiny`, `small`, `gpt2-124m`; vocab_size stays 0 (the tokenizer decides). Throws InvalidConfig
/// listing the presets for an unknown name.
GptConfig presetConfig(const std::string& name);
std::vector<std::string> presetNames();

/// GPT2LMHeadModel's config.json keys (model_type "gpt2", activation_function "gelu_new").
Json toHfConfig(const GptConfig& config);
/// Reads a GPT-2 config.json; `source` names the file in error messages.
GptConfig fromHfConfig(const Json& json, const std::string& source);

}  // namespace temper
