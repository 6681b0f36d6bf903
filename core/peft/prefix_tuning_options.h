#pragma once
/// Prefix tuning's settings, as the `prefix-*` train keys and PEFT's PrefixTuningConfig describe
/// them. Torch-free.
#include <cstdint>

namespace temper {

struct PrefixTuningOptions {
  int64_t tokens = 20;  ///< N: prefix positions in every layer (num_virtual_tokens)
  /// Trains the prefixes through an MLP (PEFT's prefix_projection; Li & Liang's
  /// reparameterisation): N embeddings of the prefix width -> Linear -> tanh -> Linear to every
  /// layer's keys and values. Only the MLP's output is saved, as PEFT saves it.
  bool projection = false;
  int64_t projection_hidden = 0;  ///< the MLP's hidden width (encoder_hidden_size); 0: the prefix width

  /// The hidden width used, given the prefix width (kv heads × head dim).
  int64_t projectionHidden(int64_t prefix_width) const {
    return projection_hidden > 0 ? projection_hidden : prefix_width;
  }
};

/// Parameters prefix tuning trains on a model of `layers` blocks whose attention keeps `kv_heads`
/// heads of `head_dim`: N × layers × 2 × width, or the embedding and the MLP under `projection`.
inline int64_t prefixTrainableParameters(int64_t layers, int64_t kv_heads, int64_t head_dim,
                                         const PrefixTuningOptions& o) {
  const int64_t width = kv_heads * head_dim, out = layers * 2 * width;
  if (!o.projection) return o.tokens * out;
  const int64_t hidden = o.projectionHidden(width);
  return o.tokens * width + (width * hidden + hidden) + (hidden * out + out);
}

}  // namespace temper
