#pragma once
/// A linear layer's forward that decodes one token at memory speed. With a single input row (one
/// sequence, one new token: every step of KV-cache generation) a GEMM call runs BLAS's gemm with
/// M = 1, which on this machine streams the weight at 4.3 GB/s against gemv's 10.7 GB/s (a
/// 50257 × 768 fp32 head, one thread: 36 ms vs 14 ms). Decoding a 124M model is bound by reading
/// its 498 MB of weights per token, so the matrix-vector product is what makes the cache pay.
/// Any other shape, device or dtype goes through torch::linear unchanged: in bf16, LibTorch's
/// matrix-vector product is a scalar loop (9.5 ms for 3072 × 768 on 2 cores) while linear reaches
/// oneDNN's bf16 kernel (0.1 ms), so a bf16 row takes linear.
#include "core/torch_api.h"

namespace temper {

/// x (..., in) times weight (out, in)ᵀ plus bias (out; may be undefined) -> (..., out).
inline torch::Tensor projectRows(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  if (x.numel() == x.size(-1) && x.device().is_cpu() && weight.device().is_cpu() &&
      x.scalar_type() == weight.scalar_type() && x.scalar_type() != torch::kBFloat16) {
    auto row = x.reshape({-1});
    auto out = bias.defined() ? torch::addmv(bias, weight, row) : torch::mv(weight, row);
    auto sizes = x.sizes().vec();
    sizes.back() = weight.size(0);
    return out.view(sizes);
  }
  return torch::linear(x, weight, bias);
}

inline torch::Tensor applyLinear(const torch::nn::Linear& layer, const torch::Tensor& x) {
  return projectRows(x, layer->weight, layer->bias);
}

}  // namespace temper
