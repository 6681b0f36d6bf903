#include "core/model/kernels/gelu.h"

#include "core/model/kernels/autocast_widen.h"

#include <ATen/Parallel.h>

#include "core/common/bf16_bits.h"
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

// The same on bf16 tensors (CPU autocast): read bf16, compute in float, round y and dy/dx once.
// Keeping dy/dx in bf16 halves what the forward keeps for backward; its rounding (2^-9 relative) is
// that of the bf16 gradient it multiplies.
TEMPER_VECTOR_CLONES void geluWithDerivativeBf16(const uint16_t* x, uint16_t* y, uint16_t* dydx, int64_t n) {
  constexpr float kSqrt2OverPi = 0.7978845608028654f;
  constexpr float kCubic = 0.044715f;
  for (int64_t i = 0; i < n; ++i) {
    const float v = bf16ToFloat(x[i]);
    const float v2 = v * v;
    const float u = kSqrt2OverPi * (v + kCubic * v2 * v);
    const float t = 1.0f - 2.0f / (fastExp(2.0f * u) + 1.0f);
    y[i] = floatToBf16(0.5f * v * (1.0f + t));
    dydx[i] = floatToBf16(0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kCubic * v2));
  }
}

TEMPER_VECTOR_CLONES void multiplyIntoBf16(const uint16_t* a, const uint16_t* b, uint16_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = floatToBf16(bf16ToFloat(a[i]) * bf16ToFloat(b[i]));
}

const uint16_t* bits(const torch::Tensor& t) { return reinterpret_cast<const uint16_t*>(t.data_ptr<at::BFloat16>()); }
uint16_t* mutableBits(torch::Tensor& t) { return reinterpret_cast<uint16_t*>(t.data_ptr<at::BFloat16>()); }

class FusedGelu : public torch::autograd::Function<FusedGelu> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input) {
    auto x = input.contiguous();
    auto y = torch::empty_like(x);
    auto dydx = torch::empty_like(x);
    ctx->save_for_backward({dydx});
    if (x.scalar_type() == torch::kBFloat16) {
      const uint16_t* xp = bits(x);
      uint16_t* yp = mutableBits(y);
      uint16_t* dp = mutableBits(dydx);
      at::parallel_for(0, x.numel(), 16384, [&](int64_t begin, int64_t end) {
        geluWithDerivativeBf16(xp + begin, yp + begin, dp + begin, end - begin);
      });
      return y;
    }
    const float* xp = x.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    float* dp = dydx.data_ptr<float>();
    at::parallel_for(0, x.numel(), 16384, [&](int64_t begin, int64_t end) {
      geluWithDerivative(xp + begin, yp + begin, dp + begin, end - begin);
    });
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto dydx = ctx->get_saved_variables()[0];
    auto upstream = grad_outputs[0].to(dydx.scalar_type()).contiguous();
    auto grad = torch::empty_like(dydx);
    if (dydx.scalar_type() == torch::kBFloat16) {
      const uint16_t* a = bits(upstream);
      const uint16_t* b = bits(dydx);
      uint16_t* out = mutableBits(grad);
      at::parallel_for(0, grad.numel(), 16384, [&](int64_t begin, int64_t end) {
        multiplyIntoBf16(a + begin, b + begin, out + begin, end - begin);
      });
      return {grad};
    }
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
  // Training under CPU autocast: the bf16 kernel, bf16 in and out (no widening pass either way).
  if (isAutocastBf16(input) && input.requires_grad() && torch::GradMode::is_enabled()) return FusedGelu::apply(input);
  const torch::Tensor x = widenUnderAutocast(input);
  if (x.device().is_cpu() && x.scalar_type() == torch::kFloat32 && x.requires_grad() && torch::GradMode::is_enabled()) {
    return FusedGelu::apply(x);
  }
  return torch::gelu(x, "tanh");
}

}  // namespace temper::kernels
