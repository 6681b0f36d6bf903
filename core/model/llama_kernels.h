#pragma once
/// Fused CPU kernels for Llama training (float32, CPU, gradients on). Why: a profile of a training
/// step of the 4-layer, 256-wide Llama of tests/core/model/bench showed the eager element-wise ops
/// of RMSNorm (pow, mean, add, rsqrt, two muls and their backwards), rotary embeddings (narrow,
/// neg, cat, two muls, add), the kv-head repeat and the q|k|v concatenation costing more than all
/// its matrix products. Each function here is one pass forward and one backward, and falls back to
/// the eager composition (its test reference) off the CPU, in other dtypes or without gradients.
#include "core/torch_api.h"

namespace temper::llama_kernels {

/// weight * x / sqrt(mean(x^2) + eps) over the last dimension.
torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

/// q (B, T, H*D), k and v (B, T, KV*D), the rotary tables cos and sin (T, D) -> (B, T, 3*H*D):
/// rope(q) | repeat_kv(rope(k)) | repeat_kv(v), the layout causalAttentionCpu reads (q head h
/// uses kv head h / (H / KV)). rope(x) = x * cos + rotate_half(x) * sin.
torch::Tensor ropePackQkv(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                          const torch::Tensor& cos, const torch::Tensor& sin, int64_t heads, int64_t kv_heads);

/// silu(gate) * up.
torch::Tensor swiglu(const torch::Tensor& gate, const torch::Tensor& up);

}  // namespace temper::llama_kernels
