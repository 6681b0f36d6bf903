#pragma once
/// Everything that differs between the two LibTorch versions Temper builds against — Debian's 1.13
/// (CPU) and the PyPI wheel's 2.x (CUDA + CPU, docs/gpu-engine.md) — and nothing else. No other file
/// tests TORCH_VERSION: callers ask here and get the same meaning from either build.
#include <torch/csrc/autograd/function.h>
#include "core/torch_api.h"

#include <functional>
#include <string>
#include <type_traits>
#include <utility>

namespace temper::compat {

/// "1.13.1", "2.15.0": the LibTorch compiled against.
std::string torchVersion();
/// The CUDA version the LibTorch was built with ("13.2"), or empty for a CPU-only LibTorch.
std::string cudaBuildVersion();

/// Whether this LibTorch has a fused attention (scaled_dot_product_attention, LibTorch >= 2.0).
bool hasFusedAttention();

/// Whether Temper's own fused causal attention (core/model/cpu_attention.h) runs CPU training steps
/// rather than the library's attention (causalAttention below). The default is the faster of the two
/// for this build, measured (docs/gpu-engine.md, "Attention on the CPU").
bool preferOwnCpuAttention();
/// Sets that choice for the process: benchmarks and tests that compare both paths.
void setPreferOwnCpuAttention(bool own);

/// softmax(q kᵀ / √D + mask) v for queries q (B, H, T, D) at positions past .. past+T-1 and keys,
/// values k, v (B, H, past+T, D), each query seeing the keys up to its own position.
/// `causal_bias` makes the (T, past+T) additive mask (0 or -inf) when a path needs it; it is not
/// called otherwise. `dropout` drops attention probabilities (training only).
/// LibTorch 2.x: scaled_dot_product_attention (flash / memory-efficient kernels on CUDA); 1.13: one
/// baddbmm of the scaled scores onto the mask, softmax, bmm.
torch::Tensor causalAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t past,
                              const std::function<torch::Tensor()>& causal_bias, double dropout);

/// Autocast state of a device type (at::kCPU or at::kCUDA): one API with a device type from
/// LibTorch 2.4 on, a pair of functions per device in 1.13.
bool autocastEnabled(at::DeviceType device);
void setAutocastEnabled(at::DeviceType device, bool enabled);
at::ScalarType autocastDtype(at::DeviceType device);
void setAutocastDtype(at::DeviceType device, at::ScalarType dtype);

/// A hand-written autograd node (a torch::autograd::Node subclass), held as this LibTorch holds
/// nodes: std::shared_ptr in 1.13, c10::intrusive_ptr in later versions. Either converts to what
/// torch::autograd::create_gradient_edge takes.
template <typename NodeT, typename... Args>
auto makeAutogradNode(Args&&... args) {
  if constexpr (std::is_base_of_v<c10::intrusive_ptr_target, torch::autograd::Node>) {
    return c10::make_intrusive<NodeT>(std::forward<Args>(args)...);
  } else {
    return std::make_shared<NodeT>(std::forward<Args>(args)...);
  }
}

/// Whether fusedAdamWStep can update tensors on `device` (LibTorch >= 2.4: at::_fused_adamw_ on
/// CUDA and the CPU).
bool hasFusedAdamW(const torch::Device& device);
/// One torch.optim.AdamW(fused=True) step of `params` (in place, with `exp_avg`, `exp_avg_sq`), `step`
/// being the step number after this update (1 on the first). Throws where hasFusedAdamW is false.
void fusedAdamWStep(const torch::Tensor& params, const torch::Tensor& grads, const torch::Tensor& exp_avg,
                    const torch::Tensor& exp_avg_sq, int64_t step, double lr, double beta1, double beta2,
                    double weight_decay, double eps);

}  // namespace temper::compat
