#pragma once
/// Under CPU bf16 autocast the matrix products hand bf16 activations to Temper's fused CPU kernels
/// (GELU, SwiGLU, RoPE packing, attention, cross-entropy), which are fp32 kernels. They take them
/// widened to fp32 at their door: one pass over the activation, after which the kernel reads,
/// accumulates and writes in fp32 exactly as it is tested to, and autograd narrows the gradient
/// back to bf16 on its way to the product. Outside autocast (a model whose weights are bf16)
/// nothing is widened: the next product would refuse an fp32 input. docs/cpu-speed.md.
#include "core/torch_api.h"

#include "core/torch_compat/torch_compat.h"

namespace temper::kernels {

/// Whether `t` is a bf16 CPU activation produced under CPU autocast.
inline bool isAutocastBf16(const torch::Tensor& t) {
  return t.defined() && t.scalar_type() == torch::kBFloat16 && t.device().is_cpu() && compat::autocastEnabled(at::kCPU);
}

/// `t` in fp32 when it is a bf16 activation of CPU autocast; `t` itself otherwise.
inline torch::Tensor widenUnderAutocast(const torch::Tensor& t) {
  return isAutocastBf16(t) ? t.to(torch::kFloat32) : t;
}

}  // namespace temper::kernels
