#pragma once
/// Variable-length examples (SFT) as (B, L) tensors: right-padded to the batch's longest example,
/// inputs ids[:-1], targets ids[1:] where the loss mask is set and -100 elsewhere (padding
/// included). With causal attention right padding never changes the real positions' outputs, so
/// no attention mask is needed.
#include "core/torch_api.h"

#include <vector>

#include "core/data/sft_examples.h"

namespace temper {

struct ExampleBatch {
  torch::Tensor inputs;   ///< (B, L) int64
  torch::Tensor targets;  ///< (B, L) int64, -100 where no loss
  int64_t tokens = 0;     ///< real (unpadded) input positions
};

/// `pad_id` fills the padding (any id works: its positions carry no loss and come after the real
/// ones). Built on the CPU, then moved to `device`.
ExampleBatch makeExampleBatch(const std::vector<TokenizedExample>& examples, const std::vector<int64_t>& indices,
                              int pad_id, const torch::Device& device);

}  // namespace temper
