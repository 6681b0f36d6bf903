#include "core/model/llama_kernels.h"

#include "core/model/kernels/autocast_widen.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <vector>

#include "core/common/fast_math.h"
#include "core/model/rope.h"

// at::parallel_for is OpenMP pragmas inside LibTorch's headers (see cpu_attention.cpp).
#if AT_PARALLEL_OPENMP && !defined(_OPENMP)
#error "llama_kernels.cpp must be compiled with -fopenmp (LibTorch's at::parallel_for is OpenMP)"
#endif

namespace temper::llama_kernels {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

bool fusable(std::initializer_list<torch::Tensor> tensors) {
  if (!torch::GradMode::is_enabled()) return false;
  bool any_grad = false;
  for (const auto& t : tensors) {
    if (!t.defined() || !t.device().is_cpu() || t.scalar_type() != torch::kFloat32) return false;
    any_grad = any_grad || t.requires_grad();
  }
  return any_grad;
}

// ---------------------------------------------------------------------------------------------
// RMSNorm

class RmsNormFunction : public torch::autograd::Function<RmsNormFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input, const torch::Tensor& weight_in,
                               double eps) {
    auto x = input.contiguous();
    auto w = weight_in.contiguous();
    const int64_t cols = x.size(-1), rows = x.numel() / cols;
    auto y = torch::empty_like(x);
    auto inv_rms = torch::empty({rows}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* wp = w.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    float* rp = inv_rms.data_ptr<float>();
    at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const float* xr = xp + r * cols;
        float* yr = yp + r * cols;
        double sum = 0.0;
        for (int64_t j = 0; j < cols; ++j) sum += double(xr[j]) * xr[j];
        const float inv = static_cast<float>(1.0 / std::sqrt(sum / double(cols) + eps));
        rp[r] = inv;
        for (int64_t j = 0; j < cols; ++j) yr[j] = wp[j] * (xr[j] * inv);
      }
    });
    ctx->save_for_backward({x, w, inv_rms});
    return y;
  }

  // y = w * x * r, r = (mean(x^2) + eps)^-1/2. With g = dy * w:
  //   dx = r * g - x * r^3 * sum(g * x) / C,   dw = sum over rows of dy * x * r.
  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& w = saved[1];
    const auto& inv_rms = saved[2];
    auto dy = grad_outputs[0].contiguous();
    const int64_t cols = x.size(-1), rows = x.numel() / cols;
    auto dx = torch::empty_like(x);
    // Weight gradients summed per thread, then over threads: no atomics, deterministic for a
    // given thread count.
    const int threads = at::get_num_threads();
    auto partial = torch::zeros({threads, cols}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* wp = w.data_ptr<float>();
    const float* rp = inv_rms.data_ptr<float>();
    const float* gp = dy.data_ptr<float>();
    float* dxp = dx.data_ptr<float>();
    float* pp = partial.data_ptr<float>();
    at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
      float* dw = pp + std::min<int64_t>(at::get_thread_num(), threads - 1) * cols;
      for (int64_t r = begin; r < end; ++r) {
        const float* xr = xp + r * cols;
        const float* gr = gp + r * cols;
        float* dxr = dxp + r * cols;
        const float inv = rp[r];
        double dot = 0.0;
        for (int64_t j = 0; j < cols; ++j) dot += double(gr[j]) * wp[j] * xr[j];
        const float coef = static_cast<float>(dot / double(cols)) * inv * inv * inv;
        for (int64_t j = 0; j < cols; ++j) {
          dxr[j] = inv * gr[j] * wp[j] - xr[j] * coef;
          dw[j] += gr[j] * xr[j] * inv;
        }
      }
    });
    return {dx, partial.sum(0), torch::Tensor()};
  }
};

// ---------------------------------------------------------------------------------------------
// Rotary embedding + kv repeat + q|k|v packing

// y = x * c + rotate_half(x) * s over one head of D channels.
inline void ropeHead(const float* x, const float* c, const float* s, float* y, int64_t half) {
  for (int64_t i = 0; i < half; ++i) {
    y[i] = x[i] * c[i] - x[i + half] * s[i];
    y[i + half] = x[i + half] * c[i + half] + x[i] * s[i + half];
  }
}

// The transpose of ropeHead: dx = dy * c + rotate_half^T(dy * s), accumulated (+=) into dx.
inline void ropeHeadBackward(const float* dy, const float* c, const float* s, float* dx, int64_t half) {
  for (int64_t i = 0; i < half; ++i) {
    dx[i] += dy[i] * c[i] + dy[i + half] * s[i + half];
    dx[i + half] += dy[i + half] * c[i + half] - dy[i] * s[i];
  }
}

class RopePackFunction : public torch::autograd::Function<RopePackFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& q_in, const torch::Tensor& k_in,
                               const torch::Tensor& v_in, const torch::Tensor& cos_in, const torch::Tensor& sin_in,
                               int64_t heads, int64_t kv_heads) {
    auto q = q_in.contiguous(), k = k_in.contiguous(), v = v_in.contiguous();
    auto cos = cos_in.contiguous(), sin = sin_in.contiguous();
    const int64_t batch = q.size(0), steps = q.size(1);
    const int64_t dim = cos.size(-1), half = dim / 2, width = heads * dim, kv_width = kv_heads * dim;
    const int64_t group = heads / kv_heads;
    auto out = torch::empty({batch, steps, 3 * width}, q.options());
    const float *qp = q.data_ptr<float>(), *kp = k.data_ptr<float>(), *vp = v.data_ptr<float>();
    const float *cp = cos.data_ptr<float>(), *sp = sin.data_ptr<float>();
    float* op = out.data_ptr<float>();
    at::parallel_for(0, batch * steps, 8, [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const int64_t t = row % steps;
        const float* c = cp + t * dim;
        const float* s = sp + t * dim;
        float* o = op + row * 3 * width;
        for (int64_t h = 0; h < heads; ++h) ropeHead(qp + row * width + h * dim, c, s, o + h * dim, half);
        for (int64_t kv = 0; kv < kv_heads; ++kv) {
          float* first_k = o + width + kv * group * dim;
          ropeHead(kp + row * kv_width + kv * dim, c, s, first_k, half);
          const float* vr = vp + row * kv_width + kv * dim;
          for (int64_t g = 0; g < group; ++g) {
            if (g > 0) std::copy(first_k, first_k + dim, first_k + g * dim);
            std::copy(vr, vr + dim, o + 2 * width + (kv * group + g) * dim);
          }
        }
      }
    });
    ctx->save_for_backward({cos, sin});
    ctx->saved_data["heads"] = heads;
    ctx->saved_data["kv_heads"] = kv_heads;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    const auto& cos = saved[0];
    const auto& sin = saved[1];
    const int64_t heads = ctx->saved_data["heads"].toInt(), kv_heads = ctx->saved_data["kv_heads"].toInt();
    auto g = grad_outputs[0].contiguous();
    const int64_t batch = g.size(0), steps = g.size(1);
    const int64_t dim = cos.size(-1), half = dim / 2, width = heads * dim, kv_width = kv_heads * dim;
    const int64_t group = heads / kv_heads;
    auto dq = torch::zeros({batch, steps, width}, g.options());
    auto dk = torch::zeros({batch, steps, kv_width}, g.options());
    auto dv = torch::zeros({batch, steps, kv_width}, g.options());
    const float *gp = g.data_ptr<float>(), *cp = cos.data_ptr<float>(), *sp = sin.data_ptr<float>();
    float *dqp = dq.data_ptr<float>(), *dkp = dk.data_ptr<float>(), *dvp = dv.data_ptr<float>();
    at::parallel_for(0, batch * steps, 8, [&](int64_t begin, int64_t end) {
      std::vector<float> summed(static_cast<size_t>(dim));
      for (int64_t row = begin; row < end; ++row) {
        const int64_t t = row % steps;
        const float* c = cp + t * dim;
        const float* s = sp + t * dim;
        const float* gr = gp + row * 3 * width;
        for (int64_t h = 0; h < heads; ++h) ropeHeadBackward(gr + h * dim, c, s, dqp + row * width + h * dim, half);
        for (int64_t kv = 0; kv < kv_heads; ++kv) {
          // The group's query heads all read this kv head: their gradients add up.
          std::fill(summed.begin(), summed.end(), 0.0f);
          float* dvr = dvp + row * kv_width + kv * dim;
          for (int64_t gi = 0; gi < group; ++gi) {
            const float* gk = gr + width + (kv * group + gi) * dim;
            const float* gv = gr + 2 * width + (kv * group + gi) * dim;
            for (int64_t i = 0; i < dim; ++i) summed[i] += gk[i], dvr[i] += gv[i];
          }
          ropeHeadBackward(summed.data(), c, s, dkp + row * kv_width + kv * dim, half);
        }
      }
    });
    return {dq, dk, dv, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// ---------------------------------------------------------------------------------------------
// SwiGLU

TEMPER_VECTOR_CLONES void swigluForward(const float* a, const float* b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = a[i] / (1.0f + kernels::fastExp(-a[i])) * b[i];
}

// y = a * s(a) * b with s the sigmoid: dy/da = b * s * (1 + a * (1 - s)), dy/db = a * s.
TEMPER_VECTOR_CLONES void swigluBackward(const float* a, const float* b, const float* g, float* da, float* db,
                                         int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float s = 1.0f / (1.0f + kernels::fastExp(-a[i]));
    da[i] = g[i] * b[i] * s * (1.0f + a[i] * (1.0f - s));
    db[i] = g[i] * a[i] * s;
  }
}

class SwigluFunction : public torch::autograd::Function<SwigluFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& gate, const torch::Tensor& up) {
    auto a = gate.contiguous(), b = up.contiguous();
    auto y = torch::empty_like(a);
    const float *ap = a.data_ptr<float>(), *bp = b.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    at::parallel_for(0, a.numel(), 16384, [&](int64_t begin, int64_t end) {
      swigluForward(ap + begin, bp + begin, yp + begin, end - begin);
    });
    ctx->save_for_backward({a, b});
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    const auto& a = saved[0];
    const auto& b = saved[1];
    auto g = grad_outputs[0].contiguous();
    auto da = torch::empty_like(a), db = torch::empty_like(b);
    const float *ap = a.data_ptr<float>(), *bp = b.data_ptr<float>(), *gp = g.data_ptr<float>();
    float *dap = da.data_ptr<float>(), *dbp = db.data_ptr<float>();
    at::parallel_for(0, a.numel(), 16384, [&](int64_t begin, int64_t end) {
      swigluBackward(ap + begin, bp + begin, gp + begin, dap + begin, dbp + begin, end - begin);
    });
    return {da, db};
  }
};

}  // namespace

torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  if (fusable({x, weight}) && x.size(-1) == weight.numel()) return RmsNormFunction::apply(x, weight, eps);
  // Half-precision inputs are normalised in fp32 (LlamaRMSNorm); fp32 and fp64 stay as they are.
  const bool half = x.scalar_type() == torch::kHalf || x.scalar_type() == torch::kBFloat16;
  auto xf = half ? x.to(torch::kFloat32) : x;
  auto normalised = xf * torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return weight * normalised.to(x.scalar_type());
}

torch::Tensor ropePackQkv(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                          const torch::Tensor& cos, const torch::Tensor& sin, int64_t heads, int64_t kv_heads) {
  const int64_t batch = q.size(0), steps = q.size(1), dim = cos.size(-1), group = heads / kv_heads;
  if (fusable({q, k, v, cos, sin}) && q.dim() == 3 && cos.dim() == 2) {
    return RopePackFunction::apply(q, k, v, cos, sin, heads, kv_heads);
  }
  auto c = cos.view({steps, 1, dim});
  auto s = sin.view({steps, 1, dim});
  auto rq = applyRope(q.view({batch, steps, heads, dim}), c, s);
  auto rk = applyRope(k.view({batch, steps, kv_heads, dim}), c, s);
  auto repeat = [&](const torch::Tensor& t) {
    return t.view({batch, steps, kv_heads, 1, dim})
        .expand({batch, steps, kv_heads, group, dim})
        .reshape({batch, steps, heads * dim});
  };
  return torch::cat({rq.reshape({batch, steps, heads * dim}), repeat(rk), repeat(v)}, 2);
}

torch::Tensor swiglu(const torch::Tensor& gate_in, const torch::Tensor& up_in) {
  const torch::Tensor gate = kernels::widenUnderAutocast(gate_in), up = kernels::widenUnderAutocast(up_in);
  if (fusable({gate, up}) && gate.sizes() == up.sizes()) return SwigluFunction::apply(gate, up);
  return torch::silu(gate) * up;
}

}  // namespace temper::llama_kernels
