#pragma once
/// Next-token cross-entropy whose gradient is computed in the same pass as the loss.
///
/// Why: over a (tokens × vocabulary) logits matrix, eager LibTorch makes five full passes
/// (log_softmax, the zero fill and scatter of nll's backward, log_softmax's backward reading two
/// tensors); this kernel reads the logits once per row while the row is in cache and writes the
/// finished gradient once. The backward is free when the upstream gradient is 1.
#include <torch/torch.h>

namespace temper::kernels {

/// Mean cross-entropy of `logits` (N, V) against `targets` (N) int64, skipping targets == -100.
/// Uses the fused CPU kernel for float32 tensors that need a gradient; otherwise LibTorch's
/// cross_entropy (the reference the kernel is tested against).
torch::Tensor crossEntropy(const torch::Tensor& logits, const torch::Tensor& targets);

}  // namespace temper::kernels
