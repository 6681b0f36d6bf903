#pragma once
// CPU bf16 autocast for the scope of a test, as the trainer's AutocastScope sets it around a forward
// pass: on, bf16, and its cast cache cleared at the end so no cast outlives the scope. Shared by the
// model and quant tests (LibTorch only; the engine's AutocastScope lives in temper_train).
#include <ATen/autocast_mode.h>

#include "core/torch_compat/torch_compat.h"

namespace temper::test_support {

class CpuAutocast {
 public:
  CpuAutocast() {
    compat::setAutocastDtype(at::kCPU, at::kBFloat16);
    compat::setAutocastEnabled(at::kCPU, true);
    at::autocast::increment_nesting();
  }
  ~CpuAutocast() {
    compat::setAutocastEnabled(at::kCPU, false);
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  }
  CpuAutocast(const CpuAutocast&) = delete;
  CpuAutocast& operator=(const CpuAutocast&) = delete;
};

}  // namespace temper::test_support
