#pragma once
/// The dtype a product with x runs in: the autocast dtype where autocast is on for x's device (what
/// the product would be cast to anyway), else x's own. Shared by the products that widen a frozen
/// low-precision weight themselves (quantized_linear.h, row_chunked_linear.h).
#include "core/torch_api.h"

#include "core/torch_compat/torch_compat.h"

namespace temper {

inline torch::ScalarType productDtype(const torch::Tensor& x) {
  const at::DeviceType device = x.device().type();
  if ((device == at::kCPU || device == at::kCUDA) && compat::autocastEnabled(device)) {
    return compat::autocastDtype(device);
  }
  return x.scalar_type();
}

}  // namespace temper
