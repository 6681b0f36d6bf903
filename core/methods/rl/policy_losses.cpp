#include "core/methods/rl/policy_losses.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/common/error.h"

namespace temper {
namespace {

void requireTokenShape(const torch::Tensor& tensor, const torch::Tensor& mask, const char* what) {
  if (!tensor.defined() || tensor.sizes() != mask.sizes()) {
    throw Error(ErrorKind::Internal, std::string(what) + ": expected a [B, T] tensor of the mask's shape");
  }
}

torch::Tensor asFloat(const torch::Tensor& mask, const torch::Tensor& like) { return mask.to(like.scalar_type()); }

/// [N·G] → [N, G], checking that the rewards split into whole groups.
torch::Tensor grouped(const torch::Tensor& rewards, int64_t group_size) {
  if (rewards.dim() != 1 || group_size < 1 || rewards.size(0) % group_size != 0) {
    throw Error(ErrorKind::Internal, "group advantages need rewards [N * G] for a group size G >= 1");
  }
  return rewards.view({-1, group_size});
}

/// Standard deviation with Bessel's correction; NaN for a single value, as TRL's nanstd.
torch::Tensor besselStd(const torch::Tensor& values, std::optional<int64_t> dim) {
  if (dim) return values.std(*dim, /*unbiased=*/true, /*keepdim=*/true);
  return values.std(/*unbiased=*/true);
}

}  // namespace

torch::Tensor maskedMean(const torch::Tensor& values, const torch::Tensor& mask) {
  auto m = asFloat(mask, values);
  return (values * m).sum() / m.sum();
}

torch::Tensor maskedVariance(const torch::Tensor& values, const torch::Tensor& mask) {
  auto m = asFloat(mask, values);
  auto mean = maskedMean(values, m);
  auto count = m.sum();
  return maskedMean((values - mean).pow(2), m) * count / (count - 1.0);
}

torch::Tensor maskedWhiten(const torch::Tensor& values, const torch::Tensor& mask, bool shift_mean) {
  auto m = asFloat(mask, values);
  auto mean = maskedMean(values, m);
  auto whitened = (values - mean) * torch::rsqrt(maskedVariance(values, m) + 1e-8);
  if (!shift_mean) whitened = whitened + mean;
  return whitened * m;
}

std::optional<KlEstimator> parseKlEstimator(std::string_view name) {
  if (name == "k1") return KlEstimator::K1;
  if (name == "k3") return KlEstimator::K3;
  return std::nullopt;
}

torch::Tensor perTokenKl(const torch::Tensor& logps, const torch::Tensor& reference_logps, KlEstimator estimator) {
  auto r = reference_logps - logps;
  if (estimator == KlEstimator::K1) return -r;
  return (r.exp() - 1.0) - r;
}

TokenRewards ppoTokenRewards(const torch::Tensor& logps, const torch::Tensor& reference_logps,
                             const torch::Tensor& mask, const torch::Tensor& scores, double kl_coef,
                             KlEstimator estimator) {
  requireTokenShape(logps, mask, "PPO rewards (log-probs)");
  requireTokenShape(reference_logps, mask, "PPO rewards (reference log-probs)");
  auto m = asFloat(mask, logps);
  auto kl = perTokenKl(logps, reference_logps, estimator) * m;
  auto rewards = -kl_coef * kl;
  // The last completion token of each row: the highest position the mask keeps.
  auto positions = torch::arange(mask.size(1), mask.options().dtype(torch::kLong)).unsqueeze(0);
  auto last = (positions * m.to(torch::kLong)).amax(1);
  auto rows = torch::arange(mask.size(0), last.options());
  rewards.index_put_({rows, last}, rewards.index({rows, last}) + scores.to(rewards.scalar_type()));
  return {rewards * m, kl};
}

Advantages generalizedAdvantages(const torch::Tensor& rewards, const torch::Tensor& values, const torch::Tensor& mask,
                                 double gamma, double lambda) {
  requireTokenShape(rewards, mask, "GAE (rewards)");
  requireTokenShape(values, mask, "GAE (values)");
  auto m = asFloat(mask, rewards);
  auto v = values * m;
  auto r = rewards * m;
  const int64_t steps = rewards.size(1);
  std::vector<torch::Tensor> reversed;
  reversed.reserve(steps);
  auto next_advantage = torch::zeros({rewards.size(0)}, rewards.options());
  auto next_value = torch::zeros({rewards.size(0)}, rewards.options());
  for (int64_t t = steps - 1; t >= 0; --t) {
    auto delta = r.select(1, t) + gamma * next_value - v.select(1, t);
    auto advantage = (delta + gamma * lambda * next_advantage) * m.select(1, t);
    reversed.push_back(advantage);
    next_advantage = advantage;
    next_value = v.select(1, t);
  }
  std::reverse(reversed.begin(), reversed.end());
  auto advantages = torch::stack(reversed, 1);
  return {advantages, (advantages + v) * m};
}

ClippedLoss ppoPolicyLoss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& advantages,
                          const torch::Tensor& mask, double clip_range) {
  requireTokenShape(logps, mask, "PPO policy loss (log-probs)");
  requireTokenShape(old_logps, mask, "PPO policy loss (old log-probs)");
  requireTokenShape(advantages, mask, "PPO policy loss (advantages)");
  auto ratio = (logps - old_logps).exp();
  auto unclipped = -advantages * ratio;
  auto clipped = -advantages * ratio.clamp(1.0 - clip_range, 1.0 + clip_range);
  auto loss = maskedMean(torch::max(unclipped, clipped), mask);
  auto fraction = maskedMean((clipped > unclipped).to(logps.scalar_type()), mask).detach();
  return {loss, fraction};
}

ClippedLoss ppoValueLoss(const torch::Tensor& values, const torch::Tensor& old_values, const torch::Tensor& returns,
                         const torch::Tensor& mask, double clip_range) {
  requireTokenShape(values, mask, "PPO value loss (values)");
  requireTokenShape(old_values, mask, "PPO value loss (old values)");
  requireTokenShape(returns, mask, "PPO value loss (returns)");
  auto clipped_values = torch::clamp(values, old_values - clip_range, old_values + clip_range);
  auto unclipped = (values - returns).pow(2);
  auto clipped = (clipped_values - returns).pow(2);
  auto loss = 0.5 * maskedMean(torch::max(unclipped, clipped), mask);
  auto fraction = maskedMean((clipped > unclipped).to(values.scalar_type()), mask).detach();
  return {loss, fraction};
}

std::optional<AdvantageScale> parseAdvantageScale(std::string_view name) {
  if (name == "group") return AdvantageScale::Group;
  if (name == "batch") return AdvantageScale::Batch;
  if (name == "none") return AdvantageScale::None;
  return std::nullopt;
}

GroupAdvantages groupRelativeAdvantages(const torch::Tensor& rewards, int64_t group_size, AdvantageScale scale) {
  auto groups = grouped(rewards, group_size);
  auto centred = (groups - groups.mean(1, /*keepdim=*/true)).reshape({-1});
  GroupAdvantages result;
  // A group whose rewards are all equal has zero spread; counted as TRL's is_std_zero (isclose).
  auto spread = groups.amax(1) - groups.amin(1);
  result.flat_groups = (spread.abs() <= 1e-8).sum().item<int64_t>();
  switch (scale) {
    case AdvantageScale::None:
      result.advantages = centred;
      break;
    case AdvantageScale::Group: {
      auto std = group_size > 1 ? besselStd(groups, 1) : torch::zeros({groups.size(0), 1}, groups.options());
      result.advantages = centred / (std.expand_as(groups).reshape({-1}) + 1e-4);
      break;
    }
    case AdvantageScale::Batch: {
      auto std = rewards.numel() > 1 ? besselStd(rewards, std::nullopt) : torch::zeros({}, rewards.options());
      result.advantages = centred / (std + 1e-4);
      break;
    }
  }
  return result;
}

torch::Tensor leaveOneOutAdvantages(const torch::Tensor& rewards, int64_t group_size, bool normalize) {
  auto groups = grouped(rewards, group_size);
  torch::Tensor advantages;
  if (group_size < 2) {
    advantages = torch::zeros_like(rewards);
  } else {
    auto others = (groups.sum(1, /*keepdim=*/true) - groups) / static_cast<double>(group_size - 1);
    advantages = (groups - others).reshape({-1});
  }
  if (normalize && advantages.numel() > 1) {
    advantages = (advantages - advantages.mean()) / (besselStd(advantages, std::nullopt) + 1e-4);
  }
  return advantages;
}

std::optional<GrpoLossKind> parseGrpoLossKind(std::string_view name) {
  if (name == "grpo") return GrpoLossKind::Grpo;
  if (name == "bnpo") return GrpoLossKind::Bnpo;
  if (name == "dr-grpo") return GrpoLossKind::DrGrpo;
  if (name == "dapo") return GrpoLossKind::Dapo;
  return std::nullopt;
}

std::optional<ImportanceLevel> parseImportanceLevel(std::string_view name) {
  if (name == "token") return ImportanceLevel::Token;
  if (name == "sequence") return ImportanceLevel::Sequence;
  return std::nullopt;
}

GrpoLoss grpoLoss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& reference_logps,
                  const torch::Tensor& advantages, const torch::Tensor& mask, const GrpoOptions& options) {
  requireTokenShape(logps, mask, "GRPO loss (log-probs)");
  requireTokenShape(old_logps, mask, "GRPO loss (old log-probs)");
  if (advantages.dim() != 1 || advantages.size(0) != logps.size(0)) {
    throw Error(ErrorKind::Internal, "GRPO loss: one advantage per completion");
  }
  auto m = asFloat(mask, logps);
  auto log_ratio = logps - old_logps;
  torch::Tensor log_weights = log_ratio;
  if (options.level == ImportanceLevel::Sequence) {
    log_weights =
        ((log_ratio * m).sum(1, /*keepdim=*/true) / m.sum(1, /*keepdim=*/true).clamp_min(1.0)).expand_as(log_ratio);
  }
  auto ratio = log_weights.exp();
  auto a = advantages.unsqueeze(1).to(logps.scalar_type());
  auto clipped_ratio = ratio.clamp(1.0 - options.epsilon_low, 1.0 + options.epsilon_high);
  auto per_token = -torch::min(ratio * a, clipped_ratio * a);
  GrpoLoss result;
  if (options.beta != 0.0) {
    requireTokenShape(reference_logps, mask, "GRPO loss (reference log-probs)");
    auto kl = perTokenKl(logps, reference_logps, KlEstimator::K3);
    per_token = per_token + options.beta * kl;
    result.kl = maskedMean(kl, m).detach();
  }
  switch (options.kind) {
    case GrpoLossKind::Grpo:
      result.loss = ((per_token * m).sum(1) / m.sum(1).clamp_min(1.0)).mean();
      break;
    case GrpoLossKind::Bnpo:
      result.loss = (per_token * m).sum() / m.sum().clamp_min(1.0);
      break;
    case GrpoLossKind::DrGrpo: {
      if (options.max_completion_length < 1) {
        throw Error(ErrorKind::Internal, "dr-grpo needs the maximum completion length");
      }
      result.loss = (per_token * m).sum() / static_cast<double>(logps.size(0) * options.max_completion_length);
      break;
    }
    case GrpoLossKind::Dapo: {
      auto tokens = options.dapo_tokens > 0.0 ? torch::full({}, options.dapo_tokens, m.options()) : m.sum();
      result.loss = (per_token * m).sum() / tokens.clamp_min(1.0);
      break;
    }
  }
  auto low = (ratio < 1.0 - options.epsilon_low).logical_and(a < 0).to(m.scalar_type());
  auto high = (ratio > 1.0 + options.epsilon_high).logical_and(a > 0).to(m.scalar_type());
  result.clip_low = maskedMean(low, m).detach();
  result.clip_high = maskedMean(high, m).detach();
  result.clip_region = maskedMean(low.logical_or(high).to(m.scalar_type()), m).detach();
  return result;
}

GrpoLoss rlooLoss(const torch::Tensor& logps, const torch::Tensor& old_logps, const torch::Tensor& advantages,
                  const torch::Tensor& mask, double epsilon_low, double epsilon_high) {
  requireTokenShape(logps, mask, "RLOO loss (log-probs)");
  requireTokenShape(old_logps, mask, "RLOO loss (old log-probs)");
  if (advantages.dim() != 1 || advantages.size(0) != logps.size(0)) {
    throw Error(ErrorKind::Internal, "RLOO loss: one advantage per completion");
  }
  auto m = asFloat(mask, logps);
  auto ratio = ((logps - old_logps) * m).sum(1).exp();
  auto a = advantages.to(logps.scalar_type());
  auto clipped_ratio = ratio.clamp(1.0 - epsilon_low, 1.0 + epsilon_high);
  GrpoLoss result;
  result.loss = (-torch::min(ratio * a, clipped_ratio * a)).mean();
  auto low = (ratio < 1.0 - epsilon_low).logical_and(a < 0).to(m.scalar_type());
  auto high = (ratio > 1.0 + epsilon_high).logical_and(a > 0).to(m.scalar_type());
  result.clip_low = low.mean().detach();
  result.clip_high = high.mean().detach();
  result.clip_region = low.logical_or(high).to(m.scalar_type()).mean().detach();
  return result;
}

torch::Tensor rlooSequenceKl(const torch::Tensor& old_logps, const torch::Tensor& reference_logps,
                             const torch::Tensor& mask) {
  requireTokenShape(old_logps, mask, "RLOO KL (old log-probs)");
  requireTokenShape(reference_logps, mask, "RLOO KL (reference log-probs)");
  return ((old_logps - reference_logps) * asFloat(mask, old_logps)).sum(1);
}

}  // namespace temper
