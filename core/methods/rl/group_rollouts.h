#pragma once
/// The sampling half of GRPO and RLOO: G completions of each prompt, drawn with the KV cache (the
/// G rows of one prompt share it and advance together, generateBatch), and the batch the policy
/// scores them in. Every completion's sampling seed is a function of the run's seed, the draw
/// and the row, so a resumed run draws the same completions from the same weights.
#include <cstdint>
#include <vector>

#include "core/model/causal_lm.h"
#include "core/model/generation.h"

namespace temper {

/// One prompt's completions (the prompt not included; eos included when it was sampled).
struct CompletionGroup {
  std::vector<std::vector<int>> completions;
  std::vector<char> ended;  ///< per completion: it sampled eos (else the budget cut it)
};

/// `group_size` completions of `prompt`, each with `options` and a seed of its own derived from
/// `seed` and its row. Each row stops at eos or after options.max_new_tokens.
CompletionGroup sampleGroup(CausalLmImpl& model, const std::vector<int>& prompt, int64_t group_size,
                            const SamplingOptions& options, uint64_t seed);

/// The seed of draw `draw`'s prompt `slot` (splitmix of the run's seed), from which its rows count.
uint64_t rolloutSeed(uint64_t run_seed, uint64_t draw, uint64_t slot);

/// Prompt + completion rows, right-padded, as one forward pass scores them. Causal attention
/// leaves every real position untouched by the padding after it, so no attention mask is needed.
struct RolloutBatch {
  torch::Tensor ids;              ///< [R, T] int64
  torch::Tensor completion_mask;  ///< [R, T] int64, 1 on each completion's tokens
  /// [R, T − 1] float: 1 where ids[:, 1:] is a completion token, the positions whose
  /// log-probabilities (completionTokenLogps) the losses read.
  torch::Tensor loss_mask;
  int64_t tokens = 0;  ///< real tokens (prompts and completions, padding excluded)
};

/// Row r is prompts[r] followed by completions[r]. Throws Error(Internal) for no rows or an empty
/// completion (every sampled completion has at least one token).
RolloutBatch collateRollouts(const std::vector<const std::vector<int>*>& prompts,
                             const std::vector<const std::vector<int>*>& completions, int64_t pad_id,
                             const torch::Device& device);

/// Per-position log-probabilities [R, T − 1] of the batch's completion tokens under `model`
/// (zero elsewhere), with gradients when enabled.
torch::Tensor rolloutTokenLogps(CausalLmImpl& model, const RolloutBatch& batch);

}  // namespace temper
