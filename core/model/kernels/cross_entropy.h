#pragma once
/// Next-token cross-entropy whose gradient is computed in the same pass as the loss.
///
/// Why: over a (tokens × vocabulary) logits matrix, eager LibTorch makes five full passes
/// (log_softmax, the zero fill and scatter of nll's backward, log_softmax's backward reading two
/// tensors); this kernel reads the logits once per row while the row is in cache and writes the
/// finished gradient once. The backward is free when the upstream gradient is 1.
#include "core/torch_api.h"

#include "core/model/kernels/loss_chunk.h"

namespace temper::kernels {

/// Mean cross-entropy of `logits` (N, V) against `targets` (N) int64, skipping targets == -100.
/// Uses the fused CPU kernel for float32 tensors that need a gradient; otherwise LibTorch's
/// cross_entropy (the reference the kernel is tested against).
torch::Tensor crossEntropy(const torch::Tensor& logits, const torch::Tensor& targets);

/// Mean cross-entropy of the logits `hidden` (N, C) × `weight` (V, C)ᵀ against `targets` (N) int64,
/// skipping targets == -100, for a head that does not train (an adapter's run): the logits are made
/// and consumed `chunk_rows` rows at a time (0: lossChunkRows(V), loss_chunk.h), and each chunk's gradient
/// with respect to `hidden` is computed while its logits are at hand, so neither the (N, V) logits
/// nor their gradient ever exist whole (at a 50257 vocabulary and 1024 tokens, 2 × 103 MB in bf16,
/// 2 × 206 MB in fp32). The products run in the autocast dtype where CPU autocast is on, else in
/// hidden's; the backward pass only scales the kept (N, C) gradient. `hidden` must require grad,
/// `weight` must not, and both must be on the CPU.
torch::Tensor frozenHeadCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& weight,
                                     const torch::Tensor& targets, int64_t chunk_rows = 0);

}  // namespace temper::kernels
