#include "core/train/compute_precision.h"

#include <ATen/autocast_mode.h>

#include "core/common/error.h"
#include "core/torch_compat/torch_compat.h"

namespace temper {

ComputePrecision resolvePrecision(const std::string& key, const std::string& device) {
  if (key == "fp32") return ComputePrecision::Fp32;
  if (key == "bf16") {
    if (device != "cuda") {
      throwConfigError(
          "`precision` bf16 is autocast on a CUDA device; on the CPU Temper computes in fp32 "
          "(use `precision` auto or fp32, or `device` cuda)");
    }
    return ComputePrecision::Bf16Autocast;
  }
  if (key == "auto" || key.empty()) return device == "cuda" ? ComputePrecision::Bf16Autocast : ComputePrecision::Fp32;
  throwConfigError("`precision` is \"" + key + "\"; allowed: auto, fp32, bf16");
}

const char* precisionName(ComputePrecision precision) {
  return precision == ComputePrecision::Bf16Autocast ? "bf16-autocast" : "fp32";
}

AutocastScope::AutocastScope(ComputePrecision precision) {
  if (precision != ComputePrecision::Bf16Autocast) return;
  active_ = true;
  was_enabled_ = compat::cudaAutocastEnabled();
  previous_dtype_ = static_cast<int>(compat::cudaAutocastDtype());
  compat::setCudaAutocastDtype(at::kBFloat16);
  compat::setCudaAutocastEnabled(true);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // The outermost scope drops the cache of weights cast to bf16, as torch.autocast's exit does:
  // the next step's weights have changed.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  compat::setCudaAutocastEnabled(was_enabled_);
  compat::setCudaAutocastDtype(static_cast<at::ScalarType>(previous_dtype_));
}

}  // namespace temper
