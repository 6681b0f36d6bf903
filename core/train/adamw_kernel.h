#pragma once
/// One fused pass of AdamW over contiguous float32 buffers: reads parameter, gradient and both
/// moments once and writes parameter and moments once, instead of the ~8 element-wise kernels
/// (each a full pass over memory) of the op-by-op update. Same arithmetic as torch.optim.AdamW.
#include <cstdint>

namespace temper {

struct AdamWStep {
  float lr = 0;
  float beta1 = 0, beta2 = 0, eps = 0;
  float weight_decay = 0;
  float step_size = 0;     ///< lr / (1 - beta1^t)
  float inv_sqrt_bc2 = 0;  ///< 1 / sqrt(1 - beta2^t)
};

/// Updates `n` elements in place; parallel over the LibTorch thread pool.
void adamwUpdate(float* params, const float* grads, float* exp_avg, float* exp_avg_sq, int64_t n, const AdamWStep& s);

}  // namespace temper
