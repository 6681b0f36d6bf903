#include "core/train/compute_precision.h"

#include <ATen/autocast_mode.h>

#include "core/common/cpu_features.h"
#include "core/common/error.h"
#include "core/torch_compat/torch_compat.h"

namespace temper {

PrecisionChoice resolvePrecision(const std::string& key, const std::string& device,
                                 const std::function<bool(std::string& why)>& bf16_pays_here) {
  if (key == "fp32") return {ComputePrecision::Fp32, "fp32: set by `precision`"};
  if (key == "bf16") return {ComputePrecision::Bf16Autocast, "bf16 autocast: set by `precision`"};
  if (key != "auto" && !key.empty()) throwConfigError("`precision` is \"" + key + "\"; allowed: auto, fp32, bf16");
  if (device == "cuda") return {ComputePrecision::Bf16Autocast, "bf16 autocast: auto on CUDA"};
  const CpuFeatures& cpu = cpuFeatures();
  if (!cpu.hasFastBf16()) return {ComputePrecision::Fp32, "fp32: auto, this CPU has neither AMX nor AVX512_BF16"};
  std::string why;
  if (bf16_pays_here && bf16_pays_here(why)) return {ComputePrecision::Bf16Autocast, "bf16 autocast: auto, " + why};
  return {ComputePrecision::Fp32, "fp32: auto, " + (why.empty() ? std::string("no probe") : why)};
}

const char* precisionName(ComputePrecision precision) {
  return precision == ComputePrecision::Bf16Autocast ? "bf16-autocast" : "fp32";
}

AutocastScope::AutocastScope(ComputePrecision precision, const std::string& device) {
  if (precision != ComputePrecision::Bf16Autocast) return;
  active_ = true;
  cuda_ = device == "cuda";
  const at::DeviceType type = cuda_ ? at::kCUDA : at::kCPU;
  was_enabled_ = compat::autocastEnabled(type);
  previous_dtype_ = static_cast<int>(compat::autocastDtype(type));
  compat::setAutocastDtype(type, at::kBFloat16);
  compat::setAutocastEnabled(type, true);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // The outermost scope drops the cache of weights cast to bf16, as torch.autocast's exit does:
  // the next step's weights have changed.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  const at::DeviceType type = cuda_ ? at::kCUDA : at::kCPU;
  compat::setAutocastEnabled(type, was_enabled_);
  compat::setAutocastDtype(type, static_cast<at::ScalarType>(previous_dtype_));
}

}  // namespace temper
