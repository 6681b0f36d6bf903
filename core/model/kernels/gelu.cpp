#include "core/model/kernels/gelu.h"

#include "core/model/kernels/autocast_widen.h"

#include <ATen/Parallel.h>

#include "core/common/fast_math.h"

namespace temper::kernels {
namespace {

// y and dy/dx of the tanh GELU over n elements; tanh(u) = 1 - 2 / (exp(2u) + 1).
TEMPER_VECTOR_CLONES void geluWithDerivative(const float* x, float* y, float* dydx, int64_t n) {
  constexpr float kSqrt2OverPi = 0.7978845608028654f;
  constexpr float kCubic = 0.044715f;
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float v2 = v * v;
    const float u = kSqrt2OverPi * (v + kCubic * v2 * v);
    const float t = 1.0f - 2.0f / (fastExp(2.0f * u) + 1.0f);
    y[i] = 0.5f * v * (1.0f + t);
    dydx[i] = 0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kCubic * v2);
  }
}

TEMPER_VECTOR_CLONES void multiplyInto(const float* a, const float* b, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
}

class FusedGelu : public torch::autograd::Function<FusedGelu> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input) {
    auto x = input.contiguous();
    auto y = torch::empty_like(x);
    auto dydx = torch::empty_like(x);
    const float* xp = x.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    float* dp = dydx.data_ptr<float>();
    at::parallel_for(0, x.numel(), 16384, [&](int64_t begin, int64_t end) {
      geluWithDerivative(xp + begin, yp + begin, dp + begin, end - begin);
    });
    ctx->save_for_backward({dydx});
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto dydx = ctx->get_saved_variables()[0];
    auto upstream = grad_outputs[0].contiguous();
    auto grad = torch::empty_like(dydx);
    const float* a = upstream.data_ptr<float>();
    const float* b = dydx.data_ptr<float>();
    float* out = grad.data_ptr<float>();
    at::parallel_for(0, grad.numel(), 16384,
                     [&](int64_t begin, int64_t end) { multiplyInto(a + begin, b + begin, out + begin, end - begin); });
    return {grad};
  }
};

}  // namespace

torch::Tensor geluTanh(const torch::Tensor& input) {
  const torch::Tensor x = widenUnderAutocast(input);
  if (x.device().is_cpu() && x.scalar_type() == torch::kFloat32 && x.requires_grad() && torch::GradMode::is_enabled()) {
    return FusedGelu::apply(x);
  }
  return torch::gelu(x, "tanh");
}

}  // namespace temper::kernels
