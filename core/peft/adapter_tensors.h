#pragma once
/// The check every adapter kind makes on the tensors read from its file (resume, `--adapter`):
/// each tensor it holds is there with its shape, and nothing else is.
#include "core/torch_api.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace temper {

/// Throws Error(InvalidInput) naming `source` and the tensor for one that is missing, has another
/// shape than `expected`'s, or is not in `expected` ("belongs to " + `owner`).
void requireAdapterTensors(const std::vector<std::pair<std::string, torch::Tensor>>& expected,
                           const std::map<std::string, torch::Tensor>& values, const std::string& source,
                           const std::string& owner);

}  // namespace temper
