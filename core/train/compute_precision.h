#pragma once
/// The dtype the forward pass computes in (the `precision` train key). bf16 autocast keeps weights,
/// gradients and AdamW state in fp32; matrix products run in bf16, and what PyTorch's autocast lists
/// keep in fp32 (the loss, norms on the fp32 residual stream) stays there. On CUDA it is the default.
/// On the CPU it pays where the processor multiplies bf16 in hardware (AMX, AVX512_BF16): `auto`
/// asks a probe (bf16_probe.h) whether bf16 products beat fp32 at the model's shapes on this
/// machine. Temper's fused CPU kernels take bf16 activations widened to fp32 (docs/cpu-speed.md).
/// bf16 needs no loss scaling, unlike fp16, which is why it is the only reduced type offered.
#include <functional>
#include <string>

namespace temper {

enum class ComputePrecision { Fp32, Bf16Autocast };

struct PrecisionChoice {
  ComputePrecision precision = ComputePrecision::Fp32;
  std::string reason;  ///< why, in words: recorded with the run
};

/// `key`: "auto", "fp32" or "bf16"; `device`: "cpu" or "cuda" (resolved). `bf16_pays_here` is asked
/// only for auto on a CPU with hardware bf16: whether bf16 products beat fp32 at the model's shapes,
/// with the measured figures in `why`. Throws Error(InvalidConfig) naming the key for another value.
PrecisionChoice resolvePrecision(const std::string& key, const std::string& device,
                                 const std::function<bool(std::string& why)>& bf16_pays_here = {});

/// "fp32" or "bf16-autocast": recorded with every run.
const char* precisionName(ComputePrecision precision);

/// Turns autocast of `device` ("cpu" or "cuda") on with bf16 for its lifetime when `precision` is
/// Bf16Autocast, restoring the previous state (enabled flag and dtype) after; does nothing for Fp32.
/// Wraps the forward pass and the loss, never backward() or the optimizer step.
class AutocastScope {
 public:
  AutocastScope(ComputePrecision precision, const std::string& device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool was_enabled_ = false;
  int previous_dtype_ = 0;  ///< c10::ScalarType, kept as int to keep ATen out of this header
};

}  // namespace temper
