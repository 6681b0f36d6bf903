#pragma once
/// The dtype the forward pass computes in, chosen per device (the `precision` train key):
/// fp32 on the CPU (Temper's fused CPU kernels are fp32, and few CPUs have fast bf16), bf16
/// autocast on CUDA (weights, gradients and AdamW state stay fp32; matrix products run in bf16,
/// reductions such as softmax, norms and the loss in fp32, as PyTorch's autocast lists decide).
/// bf16 needs no loss scaling, unlike fp16, which is why it is the only reduced type offered.
#include <string>

namespace temper {

enum class ComputePrecision { Fp32, Bf16Autocast };

/// `key`: "auto", "fp32" or "bf16"; `device`: "cpu" or "cuda" (resolved). Throws
/// Error(InvalidConfig) naming the key for bf16 on the CPU.
ComputePrecision resolvePrecision(const std::string& key, const std::string& device);

/// "fp32" or "bf16-autocast": recorded with every run.
const char* precisionName(ComputePrecision precision);

/// Turns CUDA autocast on for its lifetime when `precision` is Bf16Autocast, restoring the
/// previous state (enabled flag and dtype) after; does nothing for Fp32. Wraps the forward pass
/// and the loss, never backward() or the optimizer step.
class AutocastScope {
 public:
  explicit AutocastScope(ComputePrecision precision);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool was_enabled_ = false;
  int previous_dtype_ = 0;  ///< c10::ScalarType, kept as int to keep ATen out of this header
};

}  // namespace temper
