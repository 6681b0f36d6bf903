#pragma once
/// The arithmetic of learning from rewards, with TRL's semantics (docs/preference-training.md,
/// "Losses"): PPO's per-token rewards, GAE, whitening and clipped policy and value losses; GRPO's
/// and RLOO's group advantages and GRPO's clipped loss in its four aggregations. Token tensors are [B, T] over
/// the completion's tokens with a mask [B, T] (1 on a completion token, 0 on padding after it).
#include <optional>
#include <string_view>

#include "core/torch_api.h"

namespace temper {

/// Mean of `values` where `mask` is 1.
torch::Tensor maskedMean(const torch::Tensor& values, const torch::Tensor& mask);
/// Variance where `mask` is 1, with Bessel's correction (n / (n − 1)) as TRL's masked_var.
torch::Tensor maskedVariance(const torch::Tensor& values, const torch::Tensor& mask);
/// (values − mean) / sqrt(var + 1e-8) where `mask` is 1, 0 elsewhere; with shift_mean false the
/// mean is added back (TRL's masked_whiten, used for rewards).
torch::Tensor maskedWhiten(const torch::Tensor& values, const torch::Tensor& mask, bool shift_mean = true);

/// The KL estimators of http://joschu.net/blog/kl-approx.html with r = logπref − logπ:
/// k1 = −r (unbiased, may be negative per token), k3 = (eʳ − 1) − r (unbiased, never negative).
enum class KlEstimator { K1, K3 };
std::optional<KlEstimator> parseKlEstimator(std::string_view name);
torch::Tensor perTokenKl(const torch::Tensor& logps, const torch::Tensor& reference_logps, KlEstimator estimator);

/// PPO's per-token rewards: −kl_coef · KL on every completion token, plus the sequence's score on
/// its last token (the reward model's or the rule's; missing-EOS penalties are already in it).
struct TokenRewards {
  torch::Tensor rewards;  ///< [B, T], 0 on padding
  torch::Tensor kl;       ///< [B, T] per-token KL estimate, 0 on padding
};
TokenRewards ppoTokenRewards(const torch::Tensor& logps, const torch::Tensor& reference_logps,
                             const torch::Tensor& mask, const torch::Tensor& scores, double kl_coef,
                             KlEstimator estimator);

/// Generalised advantage estimation backwards over each completion:
/// δ_t = r_t + γ·V_{t+1} − V_t and A_t = δ_t + γλ·A_{t+1}, with V and A zero past the last token;
/// returns = A + V (before any whitening). Advantages and returns are 0 on padding.
struct Advantages {
  torch::Tensor advantages;
  torch::Tensor returns;
};
Advantages generalizedAdvantages(const torch::Tensor& rewards, const torch::Tensor& values, const torch::Tensor& mask,
                                 double gamma, double lambda);

/// A clipped surrogate loss and the fraction of tokens where the clipped term was the one taken.
struct ClippedLoss {
  torch::Tensor loss;
  torch::Tensor clip_fraction;  ///< detached
};
/// PPO's policy loss: masked mean of max(−A·ρ, −A·clip(ρ, 1 − ε, 1 + ε)), ρ = exp(logπ − logπold).
ClippedLoss ppoPolicyLoss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& advantages,
                          const torch::Tensor& mask, double clip_range);
/// PPO's value loss: 0.5 · masked mean of max((V − R)², (clip(V, Vold ± ε) − R)²).
ClippedLoss ppoValueLoss(const torch::Tensor& values, const torch::Tensor& old_values, const torch::Tensor& returns,
                         const torch::Tensor& mask, double clip_range);

/// How GRPO scales the group-centred rewards: by the group's std, the batch's std, or not at all.
enum class AdvantageScale { Group, Batch, None };
std::optional<AdvantageScale> parseAdvantageScale(std::string_view name);

/// GRPO's advantages for rewards [N·G] of N prompts × G completions (a prompt's completions
/// adjacent): r − mean of its group, divided by std + 1e-4 (std with Bessel's correction, of the
/// group or of the batch) unless the scale is None. `flat_groups` counts the groups whose rewards
/// are all equal: they carry no signal.
struct GroupAdvantages {
  torch::Tensor advantages;
  int64_t flat_groups = 0;
};
GroupAdvantages groupRelativeAdvantages(const torch::Tensor& rewards, int64_t group_size, AdvantageScale scale);

/// RLOO's advantages: r − the mean reward of the other G − 1 completions of the same prompt;
/// with `normalize`, then (A − mean) / (std + 1e-4) over the batch.
torch::Tensor leaveOneOutAdvantages(const torch::Tensor& rewards, int64_t group_size, bool normalize);

/// GRPO's loss aggregations (TRL's GRPOConfig.loss_type):
///   grpo    per-sequence token mean, then mean over sequences
///   bnpo    token mean over the batch
///   dr-grpo token sum / (B · max completion length): no length or std normalisation
///   dapo    token sum / the number of completion tokens in the whole (accumulated) batch
enum class GrpoLossKind { Grpo, Bnpo, DrGrpo, Dapo };
std::optional<GrpoLossKind> parseGrpoLossKind(std::string_view name);
/// The importance ratio per token, or one per sequence from the mean log-ratio (GSPO).
enum class ImportanceLevel { Token, Sequence };
std::optional<ImportanceLevel> parseImportanceLevel(std::string_view name);

struct GrpoOptions {
  GrpoLossKind kind = GrpoLossKind::Dapo;
  ImportanceLevel level = ImportanceLevel::Token;
  double epsilon_low = 0.2;
  double epsilon_high = 0.2;
  double beta = 0.0;                  ///< KL to the reference (k3), 0 = no reference needed
  int64_t max_completion_length = 0;  ///< dr-grpo's constant denominator
  double dapo_tokens = 0.0;           ///< dapo's denominator; 0 = this batch's completion tokens
};

struct GrpoLoss {
  torch::Tensor loss;
  torch::Tensor clip_low;     ///< share of tokens with ρ < 1 − ε_low and A < 0 (detached)
  torch::Tensor clip_high;    ///< share with ρ > 1 + ε_high and A > 0 (detached)
  torch::Tensor clip_region;  ///< either (detached)
  torch::Tensor kl;           ///< mean per-token KL to the reference, undefined when beta is 0
};
/// −min(ρ·A, clip(ρ, 1 − ε_low, 1 + ε_high)·A) per token, + β·KL_k3 when beta is non-zero,
/// aggregated by `kind`. `advantages` [B] (one per completion); reference_logps may be undefined
/// when beta is 0.
GrpoLoss grpoLoss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& reference_logps,
                  const torch::Tensor& advantages, const torch::Tensor& mask, const GrpoOptions& options);

/// RLOO's loss (TRL's RLOOTrainer): one importance ratio per completion from its summed
/// log-probabilities, ρ = exp(Σ logπ − Σ logπold), and −min(ρ·A, clip(ρ, 1 − ε_low, 1 + ε_high)·A)
/// averaged over completions. The clip shares are of completions, not tokens; `kl` is undefined
/// (RLOO puts its KL in the reward: rlooKlPenalty).
GrpoLoss rlooLoss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& advantages,
                  const torch::Tensor& mask, double epsilon_low, double epsilon_high);

/// RLOO's KL per completion, taken off its reward times β: Σ_t (logπold − logπref) over the
/// completion's tokens (the first-order estimate k1 summed, as the RLOO paper and TRL do; it may be
/// negative). [B].
torch::Tensor rlooSequenceKl(const torch::Tensor& old_logps, const torch::Tensor& reference_logps,
                             const torch::Tensor& mask);

}  // namespace temper
