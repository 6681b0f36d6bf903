#include "core/peft/bottleneck_options.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/common/error.h"
#include "core/common/text_utils.h"

namespace temper {
namespace {

int64_t blockIndex(const std::string& text, const std::string& spec) {
  int64_t value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0) {
    throwConfigError("`adapter-layers` is `" + spec + "`: `" + text +
                     "` is no block index; give all, or indices and ranges like 0-3,6");
  }
  return value;
}

}  // namespace

std::vector<int64_t> adapterLayers(const std::string& spec, int64_t layer_count) {
  std::vector<int64_t> all;
  if (spec == "all" || spec.empty()) {
    for (int64_t i = 0; i < layer_count; ++i) all.push_back(i);
    return all;
  }
  std::set<int64_t> chosen;
  for (std::string part : splitString(spec, ',')) {
    part = trim(part);
    const auto dash = part.find('-');
    const int64_t first = blockIndex(part.substr(0, dash), spec);
    const int64_t last = dash == std::string::npos ? first : blockIndex(part.substr(dash + 1), spec);
    if (last < first) throwConfigError("`adapter-layers` is `" + spec + "`: the range `" + part + "` runs backwards");
    if (last >= layer_count) {
      throwConfigError("`adapter-layers` is `" + spec + "` but the model has " + std::to_string(layer_count) +
                       " blocks (0-" + std::to_string(layer_count - 1) + ")");
    }
    for (int64_t i = first; i <= last; ++i) chosen.insert(i);
  }
  return {chosen.begin(), chosen.end()};
}

int64_t bottleneckWidth(int64_t hidden, int64_t reduction) {
  if (reduction < 1)
    throwConfigError("`adapter-reduction` is " + std::to_string(reduction) + "; it must be at least 1");
  const int64_t width = hidden / reduction;
  if (width < 1) {
    throwConfigError("`adapter-reduction` is " + std::to_string(reduction) + " but the model's hidden size is only " +
                     std::to_string(hidden) + "; the bottleneck would have no unit");
  }
  return width;
}

int64_t bottleneckTrainableParameters(int64_t hidden, int64_t layer_count, const BottleneckOptions& options) {
  const int64_t width = bottleneckWidth(hidden, options.reduction);
  const auto blocks = static_cast<int64_t>(adapterLayers(options.layers, layer_count).size());
  const int64_t per_adapter = hidden * width + width + width * hidden + hidden;
  return blocks * options.perBlock() * per_adapter;
}

}  // namespace temper
