// The policy-gradient arithmetic (core/methods/rl): GAE, PPO's rewards and clipped losses, GRPO's
// and RLOO's group advantages and GRPO's loss, each against values worked by hand on fixed inputs
// and against reference_losses.py (float64, written from the formulas) on random batches. All in
// float64, compared at 1e-12 (relative where values are large).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/common/error.h"
#include "core/methods/rl/policy_losses.h"
#include "core/torch_api.h"
#include "tests/core/methods/loss_test_support.h"
#include "tests/support/python_reference.h"
#include "tests/support/temp_dir.h"

namespace temper {
namespace {

using test_support::doubles;
using test_support::kLossReferenceScript;
using test_support::kTight;
torch::Tensor rows(std::vector<std::vector<double>> values) {
  std::vector<torch::Tensor> r;
  for (auto& row : values) r.push_back(doubles(row));
  return torch::stack(r);
}
std::vector<double> flat(const torch::Tensor& t) {
  auto c = t.to(torch::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}
void expectNear(const torch::Tensor& actual, const std::vector<double>& expected, double tolerance) {
  auto a = flat(actual);
  ASSERT_EQ(a.size(), expected.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], expected[i], tolerance) << "element " << i;
}

TEST(Gae, WorksBackwardFromTheLastTokenAndStopsAtPadding) {
  // Row 0: three tokens, the score 1 on the last; row 1: two tokens and one of padding.
  auto rewards = rows({{0.0, 0.0, 1.0}, {0.5, -1.0, 9.0}});
  auto values = rows({{0.5, 0.4, 0.3}, {0.2, 0.1, 7.0}});
  auto mask = rows({{1, 1, 1}, {1, 1, 0}});
  auto gae = generalizedAdvantages(rewards, values, mask, 1.0, 0.95);
  // Row 0: δ2 = 1 − 0.3 = 0.7; δ1 = 0.3 − 0.4 = −0.1, A1 = −0.1 + 0.95·0.7 = 0.565;
  //        δ0 = 0.4 − 0.5 = −0.1, A0 = −0.1 + 0.95·0.565 = 0.43675.
  // Row 1: δ1 = −1 − 0.1 = −1.1 (nothing after the last token); δ0 = 0.5 + 0.1 − 0.2 = 0.4,
  //        A0 = 0.4 + 0.95·(−1.1) = −0.645. The padding's 9 and 7 are ignored.
  expectNear(gae.advantages, {0.43675, 0.565, 0.7, -0.645, -1.1, 0.0}, kTight);
  expectNear(gae.returns, {0.93675, 0.965, 1.0, -0.445, -1.0, 0.0}, kTight);
}

TEST(Gae, DiscountsWithGamma) {
  auto gae = generalizedAdvantages(rows({{1.0, 2.0}}), rows({{0.0, 0.0}}), rows({{1, 1}}), 0.5, 1.0);
  // A1 = 2; A0 = 1 + 0.5·0 − 0 + 0.5·1·2 = 2.
  expectNear(gae.advantages, {2.0, 2.0}, kTight);
}

TEST(PpoRewards, PenaliseTheKlPerTokenAndAddTheScoreOnTheLastToken) {
  auto logps = rows({{-1.0, -2.0, -0.5}, {-1.0, -1.0, -3.0}});
  auto ref = rows({{-1.5, -1.0, -0.5}, {-0.8, -1.2, -9.0}});
  auto mask = rows({{1, 1, 1}, {1, 1, 0}});
  auto scores = doubles({2.0, -1.0});
  auto k1 = ppoTokenRewards(logps, ref, mask, scores, 0.05, KlEstimator::K1);
  // k1 = logπ − logπref: row 0 (0.5, −1, 0), row 1 (−0.2, 0.2, padding).
  expectNear(k1.kl, {0.5, -1.0, 0.0, -0.2, 0.2, 0.0}, kTight);
  expectNear(k1.rewards, {-0.025, 0.05, 2.0, 0.01, -0.01 - 1.0, 0.0}, kTight);
  auto k3 = ppoTokenRewards(logps, ref, mask, scores, 0.05, KlEstimator::K3);
  // k3 = (eʳ − 1) − r with r = logπref − logπ.
  auto k3of = [](double r) { return std::expm1(r) - r; };
  expectNear(k3.kl, {k3of(-0.5), k3of(1.0), 0.0, k3of(0.2), k3of(-0.2), 0.0}, kTight);
}

TEST(PpoLosses, ClipThePolicyRatioAndTheValueMove) {
  auto old_logps = rows({{0.0, 0.0, 0.0}});
  auto logps = rows({{std::log(1.5), std::log(0.7), std::log(1.1)}});
  auto advantages = rows({{1.0, 1.0, -2.0}});
  auto mask = rows({{1, 1, 1}});
  auto policy = ppoPolicyLoss(logps, old_logps, advantages, mask, 0.2);
  // Token 0: ρ 1.5, A 1: max(−1.5, −1.2) = −1.2 (clipped). Token 1: ρ 0.7: max(−0.7, −0.8) = −0.7.
  // Token 2: ρ 1.1, A −2: max(2.2, 2.2) = 2.2 (inside the range).
  EXPECT_NEAR(policy.loss.item<double>(), (-1.2 - 0.7 + 2.2) / 3.0, kTight);
  EXPECT_NEAR(policy.clip_fraction.item<double>(), 1.0 / 3.0, kTight);

  auto values = rows({{1.0, 0.0, 0.5}});
  auto old_values = rows({{0.5, 0.0, 0.4}});
  auto returns = rows({{2.0, 1.0, 0.0}});
  auto value = ppoValueLoss(values, old_values, returns, mask, 0.2);
  // Token 0: (1 − 2)² = 1, clipped value 0.7: (0.7 − 2)² = 1.69 → 1.69. Token 1: 1 both.
  // Token 2: (0.5 − 0)² = 0.25, clipped 0.5 (inside 0.2..0.6): 0.25.
  EXPECT_NEAR(value.loss.item<double>(), 0.5 * (1.69 + 1.0 + 0.25) / 3.0, kTight);
  EXPECT_NEAR(value.clip_fraction.item<double>(), 1.0 / 3.0, kTight);
}

TEST(MaskedWhiten, CentresAndScalesWithBesselsCorrectionOverTheMaskOnly) {
  auto values = rows({{1.0, 2.0, 100.0}, {3.0, 4.0, -50.0}});
  auto mask = rows({{1, 1, 0}, {1, 1, 0}});
  // Masked values 1, 2, 3, 4: mean 2.5, unbiased variance 5/3.
  const double scale = 1.0 / std::sqrt(5.0 / 3.0 + 1e-8);
  expectNear(maskedWhiten(values, mask), {-1.5 * scale, -0.5 * scale, 0.0, 0.5 * scale, 1.5 * scale, 0.0}, kTight);
  expectNear(maskedWhiten(values, mask, false),
             {2.5 - 1.5 * scale, 2.5 - 0.5 * scale, 0.0, 2.5 + 0.5 * scale, 2.5 + 1.5 * scale, 0.0}, kTight);
}

TEST(GroupAdvantages, CentreOnTheGroupAndCountFlatGroups) {
  auto rewards = doubles({1, 0, 0, 1, 2, 2, 2, 2});
  const double group_std = std::sqrt(1.0 / 3.0);  // (4 · 0.25) / 3
  auto by_group = groupRelativeAdvantages(rewards, 4, AdvantageScale::Group);
  const double a = 0.5 / (group_std + 1e-4);
  expectNear(by_group.advantages, {a, -a, -a, a, 0, 0, 0, 0}, kTight);
  EXPECT_EQ(by_group.flat_groups, 1);
  auto unscaled = groupRelativeAdvantages(rewards, 4, AdvantageScale::None);
  expectNear(unscaled.advantages, {0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0}, kTight);
  // Batch std of (1, 0, 0, 1, 2, 2, 2, 2): mean 1.25, sum of squares 0.0625·2 + 1.5625·2 + 0.5625·4 = 5.5.
  const double batch_std = std::sqrt(5.5 / 7.0);
  auto by_batch = groupRelativeAdvantages(rewards, 4, AdvantageScale::Batch);
  const double b = 0.5 / (batch_std + 1e-4);
  expectNear(by_batch.advantages, {b, -b, -b, b, 0, 0, 0, 0}, kTight);
}

TEST(GroupAdvantages, LeaveOneOutSubtractsTheMeanOfTheOthers) {
  auto rewards = doubles({1, 0, 0, 3, 5, 1});
  // Group 1: 1 − 0 = 1, 0 − 0.5, 0 − 0.5. Group 2: 3 − 3 = 0, 5 − 2 = 3, 1 − 4 = −3.
  expectNear(leaveOneOutAdvantages(rewards, 3, false), {1, -0.5, -0.5, 0, 3, -3}, kTight);
  EXPECT_THROW(leaveOneOutAdvantages(rewards, 4, false), Error);
}

TEST(GrpoLoss, AggregatesTokensAsEachKindSays) {
  // Two completions of lengths 2 and 1, ratio 1 (on-policy), advantages 1 and −2: per-token loss
  // is −A: row 0 (−1, −1), row 1 (2).
  auto logps = rows({{-1.0, -2.0}, {-0.5, -7.0}});
  auto mask = rows({{1, 1}, {1, 0}});
  auto advantages = doubles({1.0, -2.0});
  GrpoOptions options;
  auto lossOf = [&](GrpoLossKind kind) {
    options.kind = kind;
    options.max_completion_length = 4;
    return grpoLoss(logps, logps.detach(), torch::Tensor(), advantages, mask, options).loss.item<double>();
  };
  EXPECT_NEAR(lossOf(GrpoLossKind::Grpo), (-1.0 + 2.0) / 2.0, kTight);
  EXPECT_NEAR(lossOf(GrpoLossKind::Bnpo), (-2.0 + 2.0) / 3.0, kTight);
  EXPECT_NEAR(lossOf(GrpoLossKind::DrGrpo), 0.0 / (2 * 4), kTight);
  EXPECT_NEAR(lossOf(GrpoLossKind::Dapo), 0.0, kTight);
  options.dapo_tokens = 12;  // the whole accumulated batch's tokens
  options.kind = GrpoLossKind::Dapo;
  auto gradient_logps = logps.clone().requires_grad_(true);
  grpoLoss(gradient_logps, logps, torch::Tensor(), advantages, mask, options).loss.backward();
  // d/dlogπ of −ρ·A at ρ = 1 is −A, divided by 12; padding gets none.
  expectNear(gradient_logps.grad(), {-1.0 / 12, -1.0 / 12, 2.0 / 12, 0.0}, kTight);
}

TEST(GrpoLoss, ClipsAsymmetricallyAndReportsWhichSide) {
  auto old_logps = rows({{0.0, 0.0, 0.0}});
  auto logps = rows({{std::log(1.5), std::log(0.5), std::log(1.25)}});
  auto mask = rows({{1, 1, 1}});
  GrpoOptions options;
  options.kind = GrpoLossKind::Bnpo;
  options.epsilon_low = 0.2;
  options.epsilon_high = 0.28;
  auto positive = grpoLoss(logps, old_logps, torch::Tensor(), doubles({1.0}), mask, options);
  // A = 1: min(ρ, clip(ρ, 0.8, 1.28)) = 1.28, 0.5, 1.25 → loss −(1.28 + 0.5 + 1.25)/3.
  EXPECT_NEAR(positive.loss.item<double>(), -(1.28 + 0.5 + 1.25) / 3.0, kTight);
  EXPECT_NEAR(positive.clip_high.item<double>(), 1.0 / 3.0, kTight);
  EXPECT_NEAR(positive.clip_low.item<double>(), 0.0, kTight);
  auto negative = grpoLoss(logps, old_logps, torch::Tensor(), doubles({-1.0}), mask, options);
  // A = −1: −min(−ρ, −clip(ρ)) = max(ρ, clip(ρ)) = 1.5, 0.8, 1.25.
  EXPECT_NEAR(negative.loss.item<double>(), (1.5 + 0.8 + 1.25) / 3.0, kTight);
  EXPECT_NEAR(negative.clip_low.item<double>(), 1.0 / 3.0, kTight);
  EXPECT_NEAR(negative.clip_region.item<double>(), 1.0 / 3.0, kTight);
}

TEST(GrpoLoss, SequenceLevelRatioIsTheExpOfTheMeanLogRatio) {
  auto old_logps = rows({{0.0, 0.0, 0.0}});
  auto logps = rows({{0.1, -0.3, 9.0}});
  auto mask = rows({{1, 1, 0}});
  GrpoOptions options;
  options.kind = GrpoLossKind::Grpo;
  options.level = ImportanceLevel::Sequence;
  options.epsilon_low = options.epsilon_high = 0.5;
  auto result = grpoLoss(logps, old_logps, torch::Tensor(), doubles({1.0}), mask, options);
  EXPECT_NEAR(result.loss.item<double>(), -std::exp(-0.1), kTight);
}

TEST(GrpoLoss, AddsTheK3KlToTheReferenceWithBeta) {
  auto logps = rows({{-1.0, -2.0}});
  auto ref = rows({{-1.5, -1.0}});
  auto mask = rows({{1, 1}});
  GrpoOptions options;
  options.kind = GrpoLossKind::Bnpo;
  options.beta = 0.04;
  auto result = grpoLoss(logps, logps.detach(), ref, doubles({0.0}), mask, options);
  const double kl = ((std::exp(-0.5) - 1 + 0.5) + (std::exp(1.0) - 1 - 1.0)) / 2.0;
  EXPECT_NEAR(result.loss.item<double>(), 0.04 * kl, kTight);
  EXPECT_NEAR(result.kl.item<double>(), kl, kTight);
}

// Two completions, ratios e^{0.5} ≈ 1.6487 (A = +1: clipped to 1.2) and e^{−0.5} ≈ 0.6065 (A = −1:
// clipped to 0.8; −min(−0.6065, −0.8) = 0.8): loss (−1.2 + 0.8) / 2 = −0.2, both clipped.
TEST(RlooLoss, OneRatioPerCompletionFromItsSummedLogProbs) {
  auto logps = rows({{-1.0, -1.0, 0.0}, {-2.0, -1.0, 0.0}});
  auto old = rows({{-1.25, -1.25, -5.0}, {-1.75, -0.75, -5.0}});
  auto mask = rows({{1, 1, 0}, {1, 1, 0}});
  auto loss = rlooLoss(logps, old, doubles({1.0, -1.0}), mask, 0.2, 0.2);
  EXPECT_NEAR(loss.loss.item<double>(), -0.2, kTight);
  EXPECT_NEAR(loss.clip_high.item<double>(), 0.5, kTight);
  EXPECT_NEAR(loss.clip_low.item<double>(), 0.5, kTight);
  EXPECT_NEAR(loss.clip_region.item<double>(), 1.0, kTight);
  EXPECT_FALSE(loss.kl.defined());
  // Inside the clip range the gradient is the advantage times the ratio, per completion.
  auto unclipped = rlooLoss(logps, logps, doubles({2.0, -1.0}), mask, 0.2, 0.2);
  EXPECT_NEAR(unclipped.loss.item<double>(), (-2.0 + 1.0) / 2, kTight);
  // The KL in RLOO's reward: Σ (old − ref) over the completion, padding left out.
  auto kl = rlooSequenceKl(old, logps, mask);
  expectNear(kl, {-0.5, 0.5}, kTight);
}

TEST(PolicyLossNames, ParseWhatTheConfigSays) {
  EXPECT_EQ(parseGrpoLossKind("dr-grpo"), GrpoLossKind::DrGrpo);
  EXPECT_EQ(parseGrpoLossKind("dapo"), GrpoLossKind::Dapo);
  EXPECT_FALSE(parseGrpoLossKind("dr_grpo").has_value());
  EXPECT_EQ(parseImportanceLevel("sequence"), ImportanceLevel::Sequence);
  EXPECT_EQ(parseAdvantageScale("none"), AdvantageScale::None);
  EXPECT_EQ(parseKlEstimator("k3"), KlEstimator::K3);
}

// Random batches against the float64 script.
class PolicyReference : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_support::systemPythonHasTorch()) {
      GTEST_SKIP() << test_support::systemPython() << " has no torch; install python3-torch to run this check";
    }
  }
  std::mt19937_64 rng{7122026};
  std::vector<std::vector<double>> matrix(int b, int t, double mean, double stddev) {
    std::normal_distribution<double> d(mean, stddev);
    std::vector<std::vector<double>> m(b, std::vector<double>(t));
    for (auto& row : m) {
      for (auto& x : row) x = d(rng);
    }
    return m;
  }
  std::vector<std::vector<double>> leftAlignedMask(int b, int t) {
    std::uniform_int_distribution<int> length(2, t);
    std::vector<std::vector<double>> m(b, std::vector<double>(t, 0.0));
    for (auto& row : m) {
      const int n = length(rng);
      for (int i = 0; i < n; ++i) row[i] = 1.0;
    }
    return m;
  }
};

TEST_F(PolicyReference, PpoGaeWhiteningAndLossesMatchTheScript) {
  const int B = 6, T = 10;
  auto logps = matrix(B, T, -2, 0.7), ref = matrix(B, T, -2, 0.7), old = matrix(B, T, -2, 0.7);
  auto values = matrix(B, T, 0, 1), new_values = matrix(B, T, 0, 1);
  auto mask = leftAlignedMask(B, T);
  std::vector<double> scores = {1.5, -0.3, 0.8, 2.0, -1.0, 0.1};
  nlohmann::json c = {{"name", "ppo"},    {"logps", logps},   {"ref_logps", ref},
                      {"old_logps", old}, {"values", values}, {"new_values", new_values},
                      {"mask", mask},     {"scores", scores}, {"gamma", 1.0},
                      {"lam", 0.95},      {"kl_coef", 0.05},  {"clip", 0.2},
                      {"vclip", 0.2},     {"estimator", "k3"}};
  test_support::TempDir dir("policy-losses");
  auto out = test_support::runPythonReference(kLossReferenceScript, dir / "cases.json", {{"cases", {c}}});
  ASSERT_FALSE(out.is_null());
  const auto& r = out["results"][0];
  auto flatten = [](const nlohmann::json& m) {
    std::vector<double> v;
    for (const auto& row : m) {
      for (const auto& x : row) v.push_back(x.get<double>());
    }
    return v;
  };
  auto m = rows(mask);
  auto token_rewards = ppoTokenRewards(rows(logps), rows(ref), m, doubles(scores), 0.05, KlEstimator::K3);
  expectNear(token_rewards.rewards, flatten(r["rewards"]), kTight);
  auto gae = generalizedAdvantages(token_rewards.rewards, rows(values) * m, m, 1.0, 0.95);
  expectNear(gae.advantages, flatten(r["advantages"]), 1e-11);
  expectNear(gae.returns, flatten(r["returns"]), 1e-11);
  auto whitened = maskedWhiten(gae.advantages, m);
  expectNear(whitened, flatten(r["whitened"]), 1e-11);
  auto policy = ppoPolicyLoss(rows(logps), rows(old), whitened, m, 0.2);
  EXPECT_NEAR(policy.loss.item<double>(), r["policy_loss"].get<double>(), 1e-11);
  auto value = ppoValueLoss(rows(new_values), rows(values), gae.returns, m, 0.2);
  EXPECT_NEAR(value.loss.item<double>(), r["value_loss"].get<double>(), 1e-11);
}

TEST_F(PolicyReference, GroupAdvantagesAndGrpoLossesMatchTheScript) {
  const int G = 4, N = 5;
  std::normal_distribution<double> d(0.5, 1.0);
  std::vector<double> rewards(N * G);
  for (auto& x : rewards) x = d(rng);
  nlohmann::json cases = nlohmann::json::array();
  const std::vector<std::string> scales = {"group", "batch", "none"};
  for (const auto& scale : scales) {
    cases.push_back({{"name", "group_advantages"}, {"rewards", rewards}, {"group_size", G}, {"scale", scale}});
  }
  const int B = N * G, T = 8;
  auto logps = matrix(B, T, -1.5, 0.5), old = matrix(B, T, -1.5, 0.5), ref = matrix(B, T, -1.5, 0.5);
  auto mask = leftAlignedMask(B, T);
  const std::vector<std::string> kinds = {"grpo", "bnpo", "dr-grpo", "dapo"};
  for (const auto& kind : kinds) {
    for (const std::string level : {"token", "sequence"}) {
      cases.push_back({{"name", "grpo"},
                       {"kind", kind},
                       {"level", level},
                       {"logps", logps},
                       {"old_logps", old},
                       {"ref_logps", ref},
                       {"mask", mask},
                       {"advantages", rewards},
                       {"epsilon_low", 0.2},
                       {"epsilon_high", 0.28},
                       {"beta", 0.04},
                       {"max_completion_length", T}});
    }
  }
  test_support::TempDir dir("policy-losses");
  auto out = test_support::runPythonReference(kLossReferenceScript, dir / "cases.json", {{"cases", cases}});
  ASSERT_FALSE(out.is_null());
  const auto& results = out["results"];
  for (size_t i = 0; i < scales.size(); ++i) {
    auto ours = groupRelativeAdvantages(doubles(rewards), G, *parseAdvantageScale(scales[i]));
    expectNear(ours.advantages, results[i]["advantages"].get<std::vector<double>>(), 1e-11);
  }
  expectNear(leaveOneOutAdvantages(doubles(rewards), G, false), results[0]["loo"].get<std::vector<double>>(), kTight);
  expectNear(leaveOneOutAdvantages(doubles(rewards), G, true), results[0]["loo_normalized"].get<std::vector<double>>(),
             1e-11);
  size_t index = scales.size();
  for (const auto& kind : kinds) {
    for (const std::string level : {"token", "sequence"}) {
      GrpoOptions options;
      options.kind = *parseGrpoLossKind(kind);
      options.level = *parseImportanceLevel(level);
      options.epsilon_low = 0.2;
      options.epsilon_high = 0.28;
      options.beta = 0.04;
      options.max_completion_length = T;
      auto ours = grpoLoss(rows(logps), rows(old), rows(ref), doubles(rewards), rows(mask), options);
      EXPECT_NEAR(ours.loss.item<double>(), results[index]["loss"].get<double>(), 1e-11) << kind << " " << level;
      ++index;
    }
  }
}

TEST_F(PolicyReference, RlooLossAndKlMatchTheScript) {
  const int B = 12, T = 7;
  // Small log-ratios (σ 0.1 per token) so that some completions fall inside the clip range and some outside.
  auto logps = matrix(B, T, -1.5, 0.5), old = logps, ref = matrix(B, T, -1.5, 0.5);
  std::normal_distribution<double> nudge(0.0, 0.1);
  for (auto& row : old) {
    for (auto& x : row) x += nudge(rng);
  }
  auto mask = leftAlignedMask(B, T);
  std::vector<double> advantages = matrix(1, B, 0.0, 1.0)[0];
  nlohmann::json c = {{"name", "rloo"}, {"logps", logps},           {"old_logps", old},   {"ref_logps", ref},
                      {"mask", mask},   {"advantages", advantages}, {"epsilon_low", 0.2}, {"epsilon_high", 0.28}};
  test_support::TempDir dir("policy-losses");
  auto out = test_support::runPythonReference(kLossReferenceScript, dir / "cases.json", {{"cases", {c}}});
  ASSERT_FALSE(out.is_null());
  const auto& r = out["results"][0];
  auto ours = rlooLoss(rows(logps), rows(old), doubles(advantages), rows(mask), 0.2, 0.28);
  EXPECT_NEAR(ours.loss.item<double>(), r["loss"].get<double>(), 1e-11);
  expectNear(rlooSequenceKl(rows(old), rows(ref), rows(mask)), r["kl"].get<std::vector<double>>(), 1e-11);
  EXPECT_GT(ours.clip_region.item<double>(), 0.0) << "some completions should be clipped";
  EXPECT_LT(ours.clip_region.item<double>(), 1.0) << "and some not";
}

}  // namespace
}  // namespace temper
