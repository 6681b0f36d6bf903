#pragma once
/// Causal self-attention for CPU training as one autograd function: softmax(q k^T / sqrt(D) + causal
/// mask) v per head, read straight out of c_attn's fused (B, T, 3C) output and written straight into
/// the (B, T, C) layout c_proj takes, with a hand-written backward. It replaces LibTorch 1.13's eager
/// composition (head transposes, baddbmm, softmax, bmm and their backwards), whose 32 tiny batched
/// GEMMs each go through a multithreaded BLAS call: here every (batch, head) pair is one unit of
/// at::parallel_for, its GEMMs run single-threaded and in cache, and the blocks of keys above the
/// diagonal are skipped altogether.
#include "core/torch_api.h"

namespace temper {

/// Whether causalAttentionCpu handles this c_attn output: a CPU tensor of float32 or float64, 3-D.
bool causalAttentionCpuSupports(const torch::Tensor& qkv);

/// qkv: (B, T, 3C), q | k | v along the last dimension, each split into `heads` heads of C / heads
/// channels (float32 or float64, CPU). Returns y (B, T, C), contiguous: the heads' outputs side by
/// side, as `y.transpose(1, 2).reshape({B, T, C})` of the (B, H, T, D) form. Differentiable w.r.t.
/// qkv (first order only). No dropout and no key/value cache: the caller keeps the eager path for those.
torch::Tensor causalAttentionCpu(const torch::Tensor& qkv, int64_t heads);

}  // namespace temper
