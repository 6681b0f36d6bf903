#include "core/torch_compat/torch_compat.h"

#include <ATen/autocast_mode.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include <atomic>
#include <cmath>

#define TEMPER_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace temper::compat {

std::string torchVersion() { return TORCH_VERSION; }

std::string cudaBuildVersion() {
#if TEMPER_TORCH_AT_LEAST(2, 0)
  // The CUDA hooks are LibTorch's CUDA library when it was built with one (whether or not a GPU is
  // present), else stubs that answer hasCUDART() false.
  const auto& hooks = at::detail::getCUDAHooks();
  if (!hooks.hasCUDART()) return {};
  const long version = hooks.versionCUDART();  // 13020 for CUDA 13.2
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
#else
  return {};  // Debian's 1.13 is a CPU build
#endif
}

bool hasFusedAttention() { return TEMPER_TORCH_AT_LEAST(2, 0); }

namespace {
std::atomic<bool> own_cpu_attention{true};
}  // namespace

bool preferOwnCpuAttention() { return own_cpu_attention.load(std::memory_order_relaxed); }
void setPreferOwnCpuAttention(bool own) { own_cpu_attention.store(own, std::memory_order_relaxed); }

torch::Tensor causalAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t past,
                              const std::function<torch::Tensor()>& causal_bias, double dropout) {
  const int64_t steps = q.size(2);
#if TEMPER_TORCH_AT_LEAST(2, 0)
  // Without a past, SDPA's own causal flag (no mask tensor: the flash kernels skip masked blocks); a
  // single new query sees every key, so it needs no mask at all.
  if (past == 0) return at::scaled_dot_product_attention(q, k, v, {}, dropout, /*is_causal=*/true);
  if (steps == 1) return at::scaled_dot_product_attention(q, k, v, {}, dropout, /*is_causal=*/false);
  return at::scaled_dot_product_attention(q, k, v, causal_bias().to(q.dtype()), dropout, /*is_causal=*/false);
#else
  // One batched GEMM adds the scaled scores to the additive causal mask (baddbmm), which saves the
  // separate scale, mask and fill passes of the textbook form.
  const int64_t batch = q.size(0), heads = q.size(1), head_dim = q.size(3), keys = k.size(2);
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
  auto q3 = q.reshape({batch * heads, steps, head_dim});
  auto k3 = k.reshape({batch * heads, keys, head_dim});
  auto v3 = v.reshape({batch * heads, keys, head_dim});
  (void)past;
  auto scores = torch::baddbmm(causal_bias().to(q.dtype()), q3, k3.transpose(1, 2), /*beta=*/1.0, /*alpha=*/scale);
  // Half-precision scores are normalised in fp32 (as transformers' eager attention does) and the
  // probabilities rounded back for the product with v.
  const bool half = q.scalar_type() == torch::kBFloat16 || q.scalar_type() == torch::kHalf;
  auto probs = half ? torch::softmax(scores, -1, torch::kFloat32).to(q.scalar_type()) : torch::softmax(scores, -1);
  if (dropout > 0.0) probs = torch::dropout(probs, dropout, true);
  return torch::bmm(probs, v3).view({batch, heads, steps, head_dim});
#endif
}

#if TEMPER_TORCH_AT_LEAST(2, 4)
bool autocastEnabled(at::DeviceType device) { return at::autocast::is_autocast_enabled(device); }
void setAutocastEnabled(at::DeviceType device, bool enabled) { at::autocast::set_autocast_enabled(device, enabled); }
at::ScalarType autocastDtype(at::DeviceType device) { return at::autocast::get_autocast_dtype(device); }
void setAutocastDtype(at::DeviceType device, at::ScalarType dtype) { at::autocast::set_autocast_dtype(device, dtype); }
#else
// LibTorch 1.13 has one set of functions per device: CPU and GPU (CUDA); other devices never autocast here.
bool autocastEnabled(at::DeviceType device) {
  return device == at::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
}
void setAutocastEnabled(at::DeviceType device, bool enabled) {
  if (device == at::kCPU) {
    at::autocast::set_cpu_enabled(enabled);
  } else {
    at::autocast::set_enabled(enabled);
  }
}
at::ScalarType autocastDtype(at::DeviceType device) {
  return device == at::kCPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
}
void setAutocastDtype(at::DeviceType device, at::ScalarType dtype) {
  if (device == at::kCPU) {
    at::autocast::set_autocast_cpu_dtype(dtype);
  } else {
    at::autocast::set_autocast_gpu_dtype(dtype);
  }
}
#endif

bool hasFusedAdamW(const torch::Device& device) {
  return TEMPER_TORCH_AT_LEAST(2, 4) && (device.is_cuda() || device.is_cpu());
}

void fusedAdamWStep(const torch::Tensor& params, const torch::Tensor& grads, const torch::Tensor& exp_avg,
                    const torch::Tensor& exp_avg_sq, int64_t step, double lr, double beta1, double beta2,
                    double weight_decay, double eps) {
  TORCH_CHECK(hasFusedAdamW(params.device()), "fused AdamW needs LibTorch >= 2.4 (this is ", TORCH_VERSION, ")");
#if TEMPER_TORCH_AT_LEAST(2, 4)
  // The kernel reads the step count from a float tensor beside the parameters, as torch.optim keeps it.
  auto steps = torch::full({}, static_cast<double>(step), params.options().dtype(torch::kFloat32));
  at::_fused_adamw_({params}, {grads}, {exp_avg}, {exp_avg_sq}, /*max_exp_avg_sqs=*/{}, {steps}, lr, beta1, beta2,
                    weight_decay, eps, /*amsgrad=*/false, /*maximize=*/false, /*grad_scale=*/std::nullopt,
                    /*found_inf=*/std::nullopt);
#else
  (void)grads, (void)exp_avg, (void)exp_avg_sq, (void)step, (void)lr, (void)beta1, (void)beta2, (void)weight_decay,
      (void)eps;
#endif
}

}  // namespace temper::compat
