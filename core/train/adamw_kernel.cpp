#include "core/train/adamw_kernel.h"

#include <ATen/Parallel.h>

#include <cmath>

#include "core/common/fast_math.h"  // TEMPER_VECTOR_CLONES

#if AT_PARALLEL_OPENMP && !defined(_OPENMP)
#error "adamw_kernel.cpp must be compiled with OpenMP (LibTorch's at::parallel_for is OpenMP pragmas)"
#endif

namespace temper {
namespace {

TEMPER_VECTOR_CLONES void updateRange(float* p, const float* g, float* m, float* v, int64_t n, const AdamWStep s) {
  const float decay = 1.0f - s.lr * s.weight_decay;
  const float one_minus_beta1 = 1.0f - s.beta1;
  const float one_minus_beta2 = 1.0f - s.beta2;
  for (int64_t i = 0; i < n; ++i) {
    const float grad = g[i];
    const float m_new = m[i] + one_minus_beta1 * (grad - m[i]);  // lerp, as torch's update
    const float v_new = v[i] * s.beta2 + one_minus_beta2 * grad * grad;
    const float denom = std::sqrt(v_new) * s.inv_sqrt_bc2 + s.eps;
    p[i] = p[i] * decay - s.step_size * m_new / denom;
    m[i] = m_new;
    v[i] = v_new;
  }
}

}  // namespace

void adamwUpdate(float* params, const float* grads, float* exp_avg, float* exp_avg_sq, int64_t n, const AdamWStep& s) {
  at::parallel_for(0, n, 1 << 15, [&](int64_t begin, int64_t end) {
    updateRange(params + begin, grads + begin, exp_avg + begin, exp_avg_sq + begin, end - begin, s);
  });
}

}  // namespace temper
