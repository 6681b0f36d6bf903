#pragma once
/// A hook at the level of a transformer block, for methods that add layers between a block's
/// sublayers rather than beside one projection: bottleneck adapters (core/peft/bottleneck.h)
/// after the attention sublayer, after the MLP, or beside the MLP. Every family's block calls it
/// at the same two points, on each sublayer's output before it joins the residual stream, so the
/// method is written once against CausalLm and no family knows about it.
#include "core/torch_api.h"

#include <cstdint>

namespace temper {

class BlockAdapter {
 public:
  virtual ~BlockAdapter() = default;
  /// Block `layer`'s attention output (B, T, C), before the residual add: returned as it is or changed.
  virtual torch::Tensor afterAttention(int64_t layer, const torch::Tensor& attention_out) = 0;
  /// Block `layer`'s MLP output (B, T, C), before the residual add; `mlp_in` is what the MLP read
  /// (the normalised hidden states), for adapters that run beside it.
  virtual torch::Tensor afterMlp(int64_t layer, const torch::Tensor& mlp_in, const torch::Tensor& mlp_out) = 0;
};

}  // namespace temper
