#include "core/peft/adapter_tensors.h"

#include <set>
#include <sstream>

#include "core/common/error.h"

namespace temper {

void requireAdapterTensors(const std::vector<std::pair<std::string, torch::Tensor>>& expected,
                           const std::map<std::string, torch::Tensor>& values, const std::string& source,
                           const std::string& owner) {
  std::set<std::string> names;
  for (const auto& [name, tensor] : expected) {
    names.insert(name);
    auto it = values.find(name);
    if (it == values.end()) throwInputError(source + ": tensor `" + name + "` is missing");
    if (it->second.sizes() != tensor.sizes()) {
      std::ostringstream shapes;
      shapes << it->second.sizes() << " where the model needs " << tensor.sizes();
      throwInputError(source + ": tensor `" + name + "` has shape " + shapes.str());
    }
  }
  for (const auto& [name, value] : values) {
    if (!names.count(name)) throwInputError(source + ": tensor `" + name + "` belongs to " + owner);
  }
}

}  // namespace temper
