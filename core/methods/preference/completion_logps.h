#pragma once
/// Log-probabilities of completions under a causal LM, as every preference and policy method needs
/// them: position t's logits predict token t + 1, so the completion's tokens are scored by the
/// logits one position before them (TRL's selective_log_softmax on shifted logits).
#include "core/torch_api.h"

namespace temper {

/// Per-token log-probabilities [B, T - 1] of ids[:, 1:] under `logits` [B, T, V] (the model's
/// output for `ids` [B, T]), zero where completion_mask[:, 1:] is 0. Computed in float32 (or
/// float64 when the logits are) whatever the logits' dtype, as gather minus logsumexp, so no
/// [B, T, V] log-softmax is kept for backward beyond what logsumexp needs.
torch::Tensor completionTokenLogps(const torch::Tensor& logits, const torch::Tensor& ids,
                                   const torch::Tensor& completion_mask);

/// A completion's log-probability summed over its tokens, and its token count (both [B], float).
struct SequenceLogps {
  torch::Tensor sum;
  torch::Tensor tokens;

  /// The length-normalised log-probability (IPO, SimPO, ORPO): sum / max(tokens, 1).
  torch::Tensor mean() const { return sum / tokens.clamp_min(1.0); }
};

/// completionTokenLogps summed per sequence, with the completion lengths.
SequenceLogps sequenceLogps(const torch::Tensor& logits, const torch::Tensor& ids,
                            const torch::Tensor& completion_mask);

}  // namespace temper
