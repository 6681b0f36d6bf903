#include "core/methods/preference/preference_losses.h"

#include <cmath>
#include <string>

#include "core/common/error.h"

namespace temper {
namespace {

namespace F = torch::nn::functional;

void requireSameShape(const torch::Tensor& a, const torch::Tensor& b, const char* what) {
  if (!a.defined() || !b.defined() || a.sizes() != b.sizes()) {
    throw Error(ErrorKind::Internal, std::string(what) + ": the tensors must be defined and of one shape");
  }
}

}  // namespace

PairLoss bradleyTerryLoss(const torch::Tensor& chosen_scores, const torch::Tensor& rejected_scores,
                          const torch::Tensor& margin, double center_coefficient) {
  requireSameShape(chosen_scores, rejected_scores, "Bradley-Terry loss");
  auto difference = chosen_scores - rejected_scores;
  if (margin.defined()) difference = difference - margin;
  auto loss = -F::logsigmoid(difference).mean();
  if (center_coefficient != 0.0) loss = loss + center_coefficient * (chosen_scores + rejected_scores).pow(2).mean();
  return {loss, chosen_scores.detach(), rejected_scores.detach()};
}

std::optional<DpoLossKind> parseDpoLossKind(std::string_view name) {
  if (name == "sigmoid") return DpoLossKind::Sigmoid;
  if (name == "ipo") return DpoLossKind::Ipo;
  if (name == "hinge") return DpoLossKind::Hinge;
  if (name == "robust") return DpoLossKind::Robust;
  return std::nullopt;
}

std::string_view dpoLossKindName(DpoLossKind kind) {
  switch (kind) {
    case DpoLossKind::Sigmoid:
      return "sigmoid";
    case DpoLossKind::Ipo:
      return "ipo";
    case DpoLossKind::Hinge:
      return "hinge";
    case DpoLossKind::Robust:
      return "robust";
  }
  return "sigmoid";
}

PairLoss dpoLoss(DpoLossKind kind, const PairLogps& policy, const PairLogps& reference, double beta,
                 double label_smoothing) {
  requireSameShape(policy.chosen.sum, reference.chosen.sum, "DPO loss (chosen)");
  requireSameShape(policy.rejected.sum, reference.rejected.sum, "DPO loss (rejected)");
  if (beta <= 0.0) throw Error(ErrorKind::Internal, "DPO loss: beta must be positive");
  auto chosen_ratio = policy.chosen.sum - reference.chosen.sum;
  auto rejected_ratio = policy.rejected.sum - reference.rejected.sum;
  auto h = beta * (chosen_ratio - rejected_ratio);
  torch::Tensor per_pair;
  switch (kind) {
    case DpoLossKind::Sigmoid:
      per_pair = -F::logsigmoid(h);
      break;
    case DpoLossKind::Hinge:
      per_pair = torch::relu(1.0 - h);
      break;
    case DpoLossKind::Ipo: {
      auto mean_difference =
          chosen_ratio / policy.chosen.tokens.clamp_min(1.0) - rejected_ratio / policy.rejected.tokens.clamp_min(1.0);
      per_pair = (mean_difference - 1.0 / (2.0 * beta)).pow(2);
      break;
    }
    case DpoLossKind::Robust: {
      if (!(label_smoothing >= 0.0 && label_smoothing < 0.5)) {
        throw Error(ErrorKind::Internal, "robust DPO needs 0 <= label smoothing < 0.5");
      }
      per_pair = (-(1.0 - label_smoothing) * F::logsigmoid(h) + label_smoothing * F::logsigmoid(-h)) /
                 (1.0 - 2.0 * label_smoothing);
      break;
    }
  }
  return {per_pair.mean(), (beta * chosen_ratio).detach(), (beta * rejected_ratio).detach()};
}

PairLoss simpoLoss(const PairLogps& policy, double beta, double gamma) {
  requireSameShape(policy.chosen.sum, policy.rejected.sum, "SimPO loss");
  auto chosen_mean = policy.chosen.mean();
  auto rejected_mean = policy.rejected.mean();
  auto loss = -F::logsigmoid(beta * (chosen_mean - rejected_mean) - gamma).mean();
  return {loss, (beta * chosen_mean).detach(), (beta * rejected_mean).detach()};
}

torch::Tensor log1mexp(const torch::Tensor& x) {
  const double minus_ln2 = -std::log(2.0);
  // Both branches are evaluated by where(); each is only kept where it is accurate, and the
  // clamps keep the discarded one finite so that its gradient cannot poison the kept one.
  auto far = torch::log1p(-torch::exp(x.clamp_max(minus_ln2)));
  auto near = torch::log(-torch::expm1(x.clamp(minus_ln2, -1e-30)));
  return torch::where(x < minus_ln2, far, near);
}

OrpoLoss orpoLoss(const PairLogps& policy, double beta) {
  requireSameShape(policy.chosen.sum, policy.rejected.sum, "ORPO loss");
  auto chosen_mean = policy.chosen.mean();
  auto rejected_mean = policy.rejected.mean();
  auto log_odds = (chosen_mean - rejected_mean) - (log1mexp(chosen_mean) - log1mexp(rejected_mean));
  auto ratio = F::logsigmoid(log_odds);
  // TRL's NLL is the cross entropy over every chosen completion token of the batch.
  auto nll = -policy.chosen.sum.sum() / policy.chosen.tokens.sum().clamp_min(1.0);
  OrpoLoss result;
  result.loss = nll - beta * ratio.mean();
  result.chosen_rewards = (beta * chosen_mean).detach();
  result.rejected_rewards = (beta * rejected_mean).detach();
  result.nll = nll.detach();
  result.log_odds_ratio = ratio.mean().detach();
  result.log_odds_chosen = log_odds.mean().detach();
  return result;
}

KtoLoss ktoLoss(const torch::Tensor& policy_logps, const torch::Tensor& reference_logps, const torch::Tensor& desirable,
                const torch::Tensor& kl_policy, const torch::Tensor& kl_reference, double beta, double desirable_weight,
                double undesirable_weight) {
  requireSameShape(policy_logps, reference_logps, "KTO loss");
  requireSameShape(kl_policy, kl_reference, "KTO loss (KL pairs)");
  if (desirable.sizes() != policy_logps.sizes()) throw Error(ErrorKind::Internal, "KTO loss: one label per completion");
  auto kl = (kl_policy - kl_reference).mean().clamp_min(0.0).detach();
  auto ratio = policy_logps - reference_logps;
  auto is_desirable = desirable.to(torch::kBool);
  auto desirable_loss = desirable_weight * (1.0 - torch::sigmoid(beta * (ratio - kl)));
  auto undesirable_loss = undesirable_weight * (1.0 - torch::sigmoid(beta * (kl - ratio)));
  KtoLoss result;
  result.loss = torch::where(is_desirable, desirable_loss, undesirable_loss).mean();
  result.kl = kl;
  auto rewards = (beta * ratio).detach();
  result.chosen_rewards = rewards.masked_select(is_desirable);
  result.rejected_rewards = rewards.masked_select(is_desirable.logical_not());
  return result;
}

}  // namespace temper
