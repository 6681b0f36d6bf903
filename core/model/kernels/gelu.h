#pragma once
/// GELU with the tanh approximation (GPT-2's `gelu_new`) that computes its derivative in the
/// forward pass. Why: tanh dominates both of LibTorch's GELU kernels; computing it once and
/// keeping dy/dx (instead of the input) turns the backward into one multiplication.
#include "core/torch_api.h"

namespace temper::kernels {

/// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). Fused CPU kernel for float32 tensors that need
/// a gradient; LibTorch's gelu(approximate="tanh") otherwise (the reference it is tested against).
torch::Tensor geluTanh(const torch::Tensor& x);

}  // namespace temper::kernels
