#include "core/train/compute_precision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "core/common/error.h"

namespace temper {
namespace {

// LibTorch 2.4 replaced the CUDA-only calls by ones taking the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool cudaAutocastEnabled() { return at::autocast::is_autocast_enabled(at::kCUDA); }
void setCudaAutocast(bool enabled) { at::autocast::set_autocast_enabled(at::kCUDA, enabled); }
at::ScalarType cudaAutocastDtype() { return at::autocast::get_autocast_dtype(at::kCUDA); }
void setCudaAutocastDtype(at::ScalarType dtype) { at::autocast::set_autocast_dtype(at::kCUDA, dtype); }
#else
bool cudaAutocastEnabled() { return at::autocast::is_enabled(); }
void setCudaAutocast(bool enabled) { at::autocast::set_enabled(enabled); }
at::ScalarType cudaAutocastDtype() { return at::autocast::get_autocast_gpu_dtype(); }
void setCudaAutocastDtype(at::ScalarType dtype) { at::autocast::set_autocast_gpu_dtype(dtype); }
#endif

}  // namespace

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
  was_enabled_ = cudaAutocastEnabled();
  previous_dtype_ = static_cast<int>(cudaAutocastDtype());
  setCudaAutocastDtype(at::kBFloat16);
  setCudaAutocast(true);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // The outermost scope drops the cache of weights cast to bf16, as torch.autocast's exit does:
  // the next step's weights have changed.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  setCudaAutocast(was_enabled_);
  setCudaAutocastDtype(static_cast<at::ScalarType>(previous_dtype_));
}

}  // namespace temper
