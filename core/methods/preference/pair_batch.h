#pragma once
/// Preference pairs as one batch for one forward pass, as TRL concatenates them: the chosen
/// sequences (prompt + chosen answer) in rows [0, B), the rejected ones in rows [B, 2B), right-
/// padded to the longest. Under causal attention padding on the right changes nothing before it,
/// so no attention mask is needed: the answers' tokens are marked in `completion_mask` and each
/// row's real length is kept for what reads the last token (the reward model's head).
#include <vector>

#include "core/methods/preference/preference_losses.h"
#include "core/prefs/preference_examples.h"
#include "core/torch_api.h"

namespace temper {

struct PairBatch {
  torch::Tensor ids;              ///< [2B, T] int64, padding = the pad id given
  torch::Tensor completion_mask;  ///< [2B, T] int64, 1 on the answer's tokens
  torch::Tensor lengths;          ///< [2B] int64, prompt + answer tokens of each row
  int64_t pairs = 0;              ///< B
  int64_t tokens = 0;             ///< real tokens in the batch (padding excluded)
};

/// Throws Error(Internal) for no examples or an example with an empty answer.
PairBatch collatePairs(const std::vector<const PreferenceExample*>& examples, int64_t pad_id,
                       const torch::Device& device);

/// The batch's completion log-probabilities from its logits [2B, T, V], split into the chosen
/// and rejected halves.
PairLogps pairLogps(const torch::Tensor& logits, const PairBatch& batch);

/// The position a transformers *ForSequenceClassification model reads in each row of `ids` [R, T]:
/// the last one whose id is not `pad_id` (so with pad = eos, a trailing eos is not read). [R] int64.
torch::Tensor lastNonPadPositions(const torch::Tensor& ids, int64_t pad_id);

/// Each row's value at its last real token: [R, T] (or [R, T, 1]) → [R], `lengths` [R].
torch::Tensor lastTokenValues(const torch::Tensor& per_position, const torch::Tensor& lengths);

}  // namespace temper
