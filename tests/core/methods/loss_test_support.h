#pragma once
// What the loss tests share: the float64 reference written from the formulas
// (reference_losses.py, run with python3-torch) and how they build tensors.
#include <string>
#include <vector>

#include "core/torch_api.h"

namespace temper::test_support {

inline const std::string kLossReferenceScript =
    std::string(TEMPER_SOURCE_DIR) + "/tests/core/methods/reference_losses.py";
/// Hand-computed float64 values against the float64 losses: only rounding differs.
inline constexpr double kTight = 1e-12;

inline torch::Tensor doubles(std::vector<double> values) { return torch::tensor(values, torch::kDouble); }

}  // namespace temper::test_support
