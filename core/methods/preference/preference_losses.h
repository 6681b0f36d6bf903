#pragma once
/// The losses of learning from preferences, with TRL's semantics and names
/// (docs/preference-training.md, "Losses"): the reward model's Bradley-Terry loss, the DPO family
/// (sigmoid, IPO, hinge, robust), the reference-free SimPO and ORPO, and KTO on unpaired examples.
/// Inputs are completion log-probabilities summed over the completion's tokens
/// (completion_logps.h); each function returns the mean loss over the batch (differentiable) and
/// the implicit rewards the metrics are made of (detached).
#include <optional>
#include <string_view>

#include "core/methods/preference/completion_logps.h"

namespace temper {

/// The completions of a batch of pairs under one model: [B] each.
struct PairLogps {
  SequenceLogps chosen;
  SequenceLogps rejected;
};

/// A preference loss over a batch, and the implicit rewards of each completion ([B], detached)
/// that rewards/chosen, rewards/rejected, rewards/accuracies and rewards/margins are made of.
struct PairLoss {
  torch::Tensor loss;
  torch::Tensor chosen_rewards;
  torch::Tensor rejected_rewards;
};

/// Bradley-Terry: mean of −logσ(r_c − r_r − margin) over pairs, plus
/// center_coefficient · mean((r_c + r_r)²) when it is non-zero (TRL's center_rewards_coefficient,
/// which keeps the rewards near zero). `margin` may be undefined (no margin). The rewards are the
/// scores themselves.
PairLoss bradleyTerryLoss(const torch::Tensor& chosen_scores, const torch::Tensor& rejected_scores,
                          const torch::Tensor& margin, double center_coefficient);

enum class DpoLossKind { Sigmoid, Ipo, Hinge, Robust };
std::optional<DpoLossKind> parseDpoLossKind(std::string_view name);
std::string_view dpoLossKindName(DpoLossKind kind);

/// The DPO family against a reference. With h = β·((logπ_c − logπref_c) − (logπ_r − logπref_r)):
///   sigmoid  −logσ(h)                                 (DPO)
///   hinge    relu(1 − h)                              (SLiC)
///   ipo      (Δ̄ − 1/(2β))², Δ̄ the same difference of log-ratios each divided by its completion's
///            token count (IPO's authors' length normalisation, as TRL does)
///   robust   (−(1−ε)·logσ(h) + ε·logσ(−h)) / (1 − 2ε)  (rDPO, ε = label_smoothing < 0.5)
/// The implicit rewards are β·(logπ − logπref) of each completion (summed log-probs, for every kind).
PairLoss dpoLoss(DpoLossKind kind, const PairLogps& policy, const PairLogps& reference, double beta,
                 double label_smoothing);

/// SimPO, reference-free: −logσ(β·(mean logπ_c − mean logπ_r) − γ) with length-normalised
/// log-probs; rewards β·mean logπ (TRL's CPO trainer with loss_type "simpo").
PairLoss simpoLoss(const PairLogps& policy, double beta, double gamma);

/// ORPO, reference-free: the SFT loss on the chosen completions (token-mean cross entropy over the
/// batch) minus β·mean(logσ(log odds ratio)), where with length-normalised log-probs p
/// log odds = (p_c − p_r) − (log(1 − e^p_c) − log(1 − e^p_r)). Rewards β·mean logπ.
struct OrpoLoss : PairLoss {
  torch::Tensor nll;              ///< the SFT part (detached)
  torch::Tensor log_odds_ratio;   ///< mean logσ(log odds) (detached)
  torch::Tensor log_odds_chosen;  ///< mean log odds (detached)
};
OrpoLoss orpoLoss(const PairLogps& policy, double beta);

/// KTO on unpaired examples: each completion is desirable or not (`desirable`, bool [B]). z is the
/// KL estimate mean(logπ − logπref) over mismatched prompt/completion pairs (`kl_policy`,
/// `kl_reference`, summed log-probs), clamped at 0 and detached. A desirable completion's loss is
/// 1 − σ(β·(log-ratio − z)) weighted by desirable_weight, an undesirable one's 1 − σ(β·(z − log-ratio))
/// weighted by undesirable_weight; the loss is their mean over the batch. Rewards β·log-ratio.
struct KtoLoss {
  torch::Tensor loss;
  torch::Tensor kl;                ///< z (detached scalar)
  torch::Tensor chosen_rewards;    ///< of the desirable completions (may be empty)
  torch::Tensor rejected_rewards;  ///< of the undesirable ones (may be empty)
};
KtoLoss ktoLoss(const torch::Tensor& policy_logps, const torch::Tensor& reference_logps, const torch::Tensor& desirable,
                const torch::Tensor& kl_policy, const torch::Tensor& kl_reference, double beta, double desirable_weight,
                double undesirable_weight);

/// log(1 − eˣ) for x < 0 without cancellation: log1p(−eˣ) below −ln 2, log(−expm1(x)) above.
torch::Tensor log1mexp(const torch::Tensor& x);

}  // namespace temper
