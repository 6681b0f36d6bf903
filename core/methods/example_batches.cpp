#include "core/methods/example_batches.h"

#include <algorithm>

namespace temper {

ExampleBatch makeExampleBatch(const std::vector<TokenizedExample>& examples, const std::vector<int64_t>& indices,
                              int pad_id, const torch::Device& device) {
  size_t longest = 2;
  for (int64_t i : indices) longest = std::max(longest, examples[static_cast<size_t>(i)].ids.size());
  const int64_t batch = static_cast<int64_t>(indices.size());
  const int64_t length = static_cast<int64_t>(longest) - 1;
  auto inputs = torch::full({batch, length}, static_cast<int64_t>(std::max(pad_id, 0)), torch::kLong);
  auto targets = torch::full({batch, length}, static_cast<int64_t>(-100), torch::kLong);
  auto in = inputs.accessor<int64_t, 2>();
  auto out = targets.accessor<int64_t, 2>();
  ExampleBatch result;
  for (int64_t b = 0; b < batch; ++b) {
    const TokenizedExample& e = examples[static_cast<size_t>(indices[static_cast<size_t>(b)])];
    const int64_t n = static_cast<int64_t>(e.ids.size()) - 1;
    for (int64_t t = 0; t < n; ++t) {
      in[b][t] = e.ids[static_cast<size_t>(t)];
      if (e.loss_mask[static_cast<size_t>(t + 1)]) out[b][t] = e.ids[static_cast<size_t>(t + 1)];
    }
    result.tokens += std::max<int64_t>(n, 0);
  }
  result.inputs = inputs.to(device);
  result.targets = targets.to(device);
  return result;
}

}  // namespace temper
