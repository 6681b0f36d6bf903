// The preference losses (core/methods/preference): each against values worked by hand with scalar
// formulas on fixed inputs, and against reference_losses.py (float64, written from the formulas) on
// random batches. Everything here runs in float64, so the comparisons are at 1e-12: the only
// differences left are the order of a few additions.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/methods/preference/completion_logps.h"
#include "core/methods/preference/preference_losses.h"
#include "core/torch_api.h"
#include "tests/core/methods/loss_test_support.h"
#include "tests/support/python_reference.h"
#include "tests/support/temp_dir.h"

namespace temper {
namespace {

using test_support::doubles;
using test_support::kLossReferenceScript;
using test_support::kTight;

double logSigmoid(double x) { return -std::log1p(std::exp(-x)); }
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

SequenceLogps seq(std::vector<double> sums, std::vector<double> tokens) {
  return {doubles(std::move(sums)), doubles(std::move(tokens))};
}

std::vector<double> toVector(const torch::Tensor& t) {
  auto c = t.to(torch::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

TEST(CompletionLogps, ScoresEachCompletionTokenByThePositionBeforeIt) {
  // One row, vocabulary 3, ids [2, 0, 1]; the prompt is id 2, the completion ids 0 and 1.
  auto logits = doubles({0.5, -1.0, 2.0, 1.5, 0.0, -0.5, 0.1, 0.2, 0.3}).view({1, 3, 3});
  auto ids = torch::tensor({{2, 0, 1}}, torch::kLong);
  auto mask = torch::tensor({{0, 1, 1}}, torch::kLong);
  auto logSoftmax = [](double a, double b, double c, double pick) {
    return pick - std::log(std::exp(a) + std::exp(b) + std::exp(c));
  };
  const double first = logSoftmax(0.5, -1.0, 2.0, 0.5);   // position 0 predicts id 0
  const double second = logSoftmax(1.5, 0.0, -0.5, 0.0);  // position 1 predicts id 1
  auto per_token = completionTokenLogps(logits, ids, mask);
  ASSERT_EQ(per_token.sizes(), (std::vector<int64_t>{1, 2}));
  EXPECT_NEAR(per_token[0][0].item<double>(), first, kTight);
  EXPECT_NEAR(per_token[0][1].item<double>(), second, kTight);
  auto logps = sequenceLogps(logits, ids, mask);
  EXPECT_NEAR(logps.sum.item<double>(), first + second, kTight);
  EXPECT_EQ(logps.tokens.item<double>(), 2.0);
  EXPECT_NEAR(logps.mean().item<double>(), (first + second) / 2.0, kTight);
}

TEST(CompletionLogps, MaskedPositionsAddNothingAndFloatLogitsAreScoredInFloat32) {
  auto logits = torch::randn({2, 5, 7}, torch::kFloat);
  auto ids = torch::randint(0, 7, {2, 5}, torch::kLong);
  auto mask = torch::tensor({{0, 0, 1, 1, 0}, {0, 1, 1, 1, 1}}, torch::kLong);
  auto per_token = completionTokenLogps(logits.to(torch::kBFloat16), ids, mask);
  EXPECT_EQ(per_token.scalar_type(), torch::kFloat);
  EXPECT_EQ(per_token[0][0].item<float>(), 0.0f);
  EXPECT_EQ(per_token[0][3].item<float>(), 0.0f);
  EXPECT_NE(per_token[0][1].item<float>(), 0.0f);
}

TEST(BradleyTerry, IsTheMeanNegativeLogSigmoidOfTheMarginedDifferencePlusCentring) {
  auto chosen = doubles({1.0, -0.5});
  auto rejected = doubles({0.2, 0.5});
  auto margin = doubles({0.1, 0.0});
  const double expected_plain = -(logSigmoid(1.0 - 0.2 - 0.1) + logSigmoid(-0.5 - 0.5 - 0.0)) / 2.0;
  const double centring = 0.01 * (std::pow(1.2, 2) + std::pow(0.0, 2)) / 2.0;
  EXPECT_NEAR(bradleyTerryLoss(chosen, rejected, margin, 0.0).loss.item<double>(), expected_plain, kTight);
  EXPECT_NEAR(bradleyTerryLoss(chosen, rejected, margin, 0.01).loss.item<double>(), expected_plain + centring, kTight);
  const double no_margin = -(logSigmoid(0.8) + logSigmoid(-1.0)) / 2.0;
  EXPECT_NEAR(bradleyTerryLoss(chosen, rejected, torch::Tensor(), 0.0).loss.item<double>(), no_margin, kTight);
}

TEST(BradleyTerry, GradientPushesTheChosenScoreUpAndTheRejectedDown) {
  auto chosen = doubles({0.3}).requires_grad_(true);
  auto rejected = doubles({0.7}).requires_grad_(true);
  bradleyTerryLoss(chosen, rejected, torch::Tensor(), 0.0).loss.backward();
  // d/dr_c of −logσ(r_c − r_r) = −σ(r_r − r_c).
  EXPECT_NEAR(chosen.grad().item<double>(), -sigmoid(0.4), kTight);
  EXPECT_NEAR(rejected.grad().item<double>(), sigmoid(0.4), kTight);
}

struct DpoFixture {
  PairLogps policy{seq({-10.0, -20.0}, {4, 8}), seq({-12.0, -18.0}, {5, 6})};
  PairLogps reference{seq({-11.0, -19.0}, {4, 8}), seq({-11.5, -19.5}, {5, 6})};
  // Log-ratios: chosen (1.0, −1.0), rejected (−0.5, 1.5).
  double chosen_ratio[2] = {1.0, -1.0};
  double rejected_ratio[2] = {-0.5, 1.5};
};

TEST(DpoLoss, EveryKindMatchesItsFormulaByHand) {
  DpoFixture f;
  const double beta = 0.1;
  double sigmoid_sum = 0, hinge_sum = 0, ipo_sum = 0, robust_sum = 0;
  const double chosen_tokens[2] = {4, 8}, rejected_tokens[2] = {5, 6};
  const double eps = 0.2;
  for (int i = 0; i < 2; ++i) {
    const double h = beta * (f.chosen_ratio[i] - f.rejected_ratio[i]);
    sigmoid_sum += -logSigmoid(h);
    hinge_sum += std::max(0.0, 1.0 - h);
    const double mean_difference = f.chosen_ratio[i] / chosen_tokens[i] - f.rejected_ratio[i] / rejected_tokens[i];
    ipo_sum += std::pow(mean_difference - 1.0 / (2.0 * beta), 2);
    robust_sum += (-(1.0 - eps) * logSigmoid(h) + eps * logSigmoid(-h)) / (1.0 - 2.0 * eps);
  }
  EXPECT_NEAR(dpoLoss(DpoLossKind::Sigmoid, f.policy, f.reference, beta, 0.0).loss.item<double>(), sigmoid_sum / 2,
              kTight);
  EXPECT_NEAR(dpoLoss(DpoLossKind::Hinge, f.policy, f.reference, beta, 0.0).loss.item<double>(), hinge_sum / 2, kTight);
  EXPECT_NEAR(dpoLoss(DpoLossKind::Ipo, f.policy, f.reference, beta, 0.0).loss.item<double>(), ipo_sum / 2, kTight);
  EXPECT_NEAR(dpoLoss(DpoLossKind::Robust, f.policy, f.reference, beta, eps).loss.item<double>(), robust_sum / 2,
              kTight);
  // With no label noise the robust loss is the sigmoid loss.
  EXPECT_NEAR(dpoLoss(DpoLossKind::Robust, f.policy, f.reference, beta, 0.0).loss.item<double>(), sigmoid_sum / 2,
              kTight);
}

TEST(DpoLoss, RewardsAreBetaTimesEachCompletionsLogRatio) {
  DpoFixture f;
  auto result = dpoLoss(DpoLossKind::Sigmoid, f.policy, f.reference, 0.5, 0.0);
  EXPECT_EQ(toVector(result.chosen_rewards), (std::vector<double>{0.5, -0.5}));
  EXPECT_EQ(toVector(result.rejected_rewards), (std::vector<double>{-0.25, 0.75}));
  EXPECT_FALSE(result.chosen_rewards.requires_grad());
}

TEST(DpoLoss, GradientOfTheSigmoidLossIsMinusBetaSigmaOfMinusH) {
  DpoFixture f;
  f.policy.chosen.sum.requires_grad_(true);
  const double beta = 0.1;
  dpoLoss(DpoLossKind::Sigmoid, f.policy, f.reference, beta, 0.0).loss.backward();
  auto grad = toVector(f.policy.chosen.sum.grad());
  for (int i = 0; i < 2; ++i) {
    const double h = beta * (f.chosen_ratio[i] - f.rejected_ratio[i]);
    EXPECT_NEAR(grad[i], -beta * sigmoid(-h) / 2.0, kTight);
  }
}

TEST(DpoLoss, KindNamesRoundTrip) {
  for (auto kind : {DpoLossKind::Sigmoid, DpoLossKind::Ipo, DpoLossKind::Hinge, DpoLossKind::Robust}) {
    EXPECT_EQ(parseDpoLossKind(dpoLossKindName(kind)), kind);
  }
  EXPECT_FALSE(parseDpoLossKind("exo").has_value());
}

TEST(SimpoLoss, UsesLengthNormalisedLogProbsAndTheTargetMargin) {
  PairLogps policy{seq({-8.0, -3.0}, {4, 2}), seq({-9.0, -2.0}, {3, 4})};
  const double beta = 2.0, gamma = 0.5;
  const double expected = (-logSigmoid(beta * (-2.0 - -3.0) - gamma) - logSigmoid(beta * (-1.5 - -0.5) - gamma)) / 2;
  auto result = simpoLoss(policy, beta, gamma);
  EXPECT_NEAR(result.loss.item<double>(), expected, kTight);
  EXPECT_EQ(toVector(result.chosen_rewards), (std::vector<double>{-4.0, -3.0}));
}

TEST(OrpoLoss, IsChosenNllMinusBetaLogSigmoidOfTheLogOddsRatio) {
  PairLogps policy{seq({-2.0, -6.0}, {4, 3}), seq({-3.0, -2.0}, {2, 5})};
  const double beta = 0.1;
  auto logOdds = [](double mean_logp) { return mean_logp - std::log(-std::expm1(mean_logp)); };
  const double lo0 = logOdds(-0.5) - logOdds(-1.5);
  const double lo1 = logOdds(-2.0) - logOdds(-0.4);
  const double nll = (2.0 + 6.0) / 7.0;
  auto result = orpoLoss(policy, beta);
  EXPECT_NEAR(result.loss.item<double>(), nll - beta * (logSigmoid(lo0) + logSigmoid(lo1)) / 2, kTight);
  EXPECT_NEAR(result.nll.item<double>(), nll, kTight);
  EXPECT_NEAR(result.log_odds_chosen.item<double>(), (lo0 + lo1) / 2, kTight);
}

TEST(Log1mexp, IsAccurateNearZeroAndFarFromIt) {
  for (double x : {-1e-12, -1e-6, -0.3, -0.6931, -0.6932, -5.0, -40.0}) {
    // Far from 0 the result is tiny and 1 − eˣ rounds even in long double: use the series
    // log(1 − u) = −u − u²/2 − u³/3 there (u = eˣ < 5e-5, so the next term is below 1e-18 relative).
    const long double lx = x;
    const long double u = std::exp(lx);
    const long double expected = x < -10 ? -(u + u * u / 2 + u * u * u / 3) : std::log(-std::expm1(lx));
    EXPECT_NEAR(log1mexp(doubles({x})).item<double>(), static_cast<double>(expected),
                1e-12 * std::abs(static_cast<double>(expected)))
        << x;
  }
}

TEST(KtoLoss, WeighsDesirableAndUndesirableAgainstTheClampedKlEstimate) {
  auto policy = doubles({-5.0, -6.0, -7.0});
  auto reference = doubles({-5.5, -5.0, -7.0});
  auto desirable = torch::tensor({true, false, true});
  const double beta = 0.1, wd = 1.0, wu = 1.33;
  auto kl_policy = doubles({-4.0, -6.0});
  auto kl_reference = doubles({-4.5, -6.1});  // mean 0.3
  const double z = 0.3;
  const double expected = (wd * (1 - sigmoid(beta * (0.5 - z))) + wu * (1 - sigmoid(beta * (z - -1.0))) +
                           wd * (1 - sigmoid(beta * (0.0 - z)))) /
                          3.0;
  auto result = ktoLoss(policy, reference, desirable, kl_policy, kl_reference, beta, wd, wu);
  EXPECT_NEAR(result.loss.item<double>(), expected, kTight);
  EXPECT_NEAR(result.kl.item<double>(), z, kTight);
  EXPECT_EQ(result.chosen_rewards.numel(), 2);
  EXPECT_EQ(result.rejected_rewards.numel(), 1);
  // A negative KL estimate is clamped at zero.
  auto clamped = ktoLoss(policy, reference, desirable, kl_reference, kl_policy, beta, wd, wu);
  EXPECT_EQ(clamped.kl.item<double>(), 0.0);
}

// Random batches against the float64 script.
class PreferenceReference : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_support::systemPythonHasTorch()) {
      GTEST_SKIP() << test_support::systemPython() << " has no torch; install python3-torch to run this check";
    }
  }
  std::mt19937_64 rng{20261207};
  std::vector<double> normal(int n, double mean, double stddev) {
    std::normal_distribution<double> d(mean, stddev);
    std::vector<double> v(n);
    for (auto& x : v) x = d(rng);
    return v;
  }
  /// Summed log-probs: negative, so that mean log-probs stay below 0 as they must.
  std::vector<double> logps(int n) {
    auto v = normal(n, 30, 10);
    for (auto& x : v) x = -std::abs(x) - 0.1;
    return v;
  }
  std::vector<double> lengths(int n) {
    std::uniform_int_distribution<int> d(1, 40);
    std::vector<double> v(n);
    for (auto& x : v) x = d(rng);
    return v;
  }
};

TEST_F(PreferenceReference, SequenceLogpsEqualTheFullLogSoftmaxOfTheReference) {
  const int B = 3, T = 9, V = 11;
  auto logits = torch::randn({B, T, V}, torch::TensorOptions().dtype(torch::kDouble));
  auto ids = torch::randint(0, V, {B, T}, torch::kLong);
  auto mask = torch::zeros({B, T}, torch::kLong);
  mask.index_put_({0, torch::indexing::Slice(3, 9)}, 1);
  mask.index_put_({1, torch::indexing::Slice(1, 5)}, 1);
  mask.index_put_({2, torch::indexing::Slice(6, 8)}, 1);
  nlohmann::json c = {{"name", "sequence_logps"}};
  std::vector<std::vector<std::vector<double>>> l(B, std::vector<std::vector<double>>(T));
  std::vector<std::vector<int64_t>> id(B), m(B);
  for (int b = 0; b < B; ++b) {
    for (int t = 0; t < T; ++t) {
      l[b][t] = toVector(logits[b][t]);
      id[b].push_back(ids[b][t].item<int64_t>());
      m[b].push_back(mask[b][t].item<int64_t>());
    }
  }
  c["logits"] = l;
  c["ids"] = id;
  c["mask"] = m;
  test_support::TempDir dir("prefs-losses");
  auto out = test_support::runPythonReference(kLossReferenceScript, dir / "cases.json", {{"cases", {c}}});
  ASSERT_FALSE(out.is_null());
  auto ours = sequenceLogps(logits, ids, mask);
  auto expected_sum = out["results"][0]["sum"].get<std::vector<double>>();
  auto expected_tokens = out["results"][0]["tokens"].get<std::vector<double>>();
  for (int b = 0; b < B; ++b) {
    EXPECT_NEAR(ours.sum[b].item<double>(), expected_sum[b], kTight);
    EXPECT_EQ(ours.tokens[b].item<double>(), expected_tokens[b]);
  }
}

TEST_F(PreferenceReference, EveryLossMatchesTheFloat64ScriptOnRandomBatches) {
  const int B = 16;
  nlohmann::json cases = nlohmann::json::array();
  struct Batch {
    std::vector<double> pc, pr, rc, rr, nc, nr;
  };
  std::vector<Batch> batches;
  for (int i = 0; i < 4; ++i) {
    Batch b;
    b.nc = lengths(B);
    b.nr = lengths(B);
    b.pc = logps(B);
    b.pr = logps(B);
    b.rc = logps(B);
    b.rr = logps(B);
    batches.push_back(b);
  }
  const std::vector<std::string> kinds = {"sigmoid", "ipo", "hinge", "robust"};
  for (int i = 0; i < 4; ++i) {
    const auto& b = batches[i];
    cases.push_back({{"name", "dpo"},
                     {"kind", kinds[i]},
                     {"beta", 0.05 + 0.1 * i},
                     {"label_smoothing", 0.1 * i},
                     {"policy_chosen", b.pc},
                     {"policy_rejected", b.pr},
                     {"ref_chosen", b.rc},
                     {"ref_rejected", b.rr},
                     {"chosen_tokens", b.nc},
                     {"rejected_tokens", b.nr}});
  }
  // SimPO and ORPO need mean log-probs below 0: the sums are negative and lengths >= 1.
  cases.push_back({{"name", "simpo"},
                   {"beta", 2.0},
                   {"gamma", 0.5},
                   {"policy_chosen", batches[0].pc},
                   {"policy_rejected", batches[0].pr},
                   {"chosen_tokens", batches[0].nc},
                   {"rejected_tokens", batches[0].nr}});
  cases.push_back({{"name", "orpo"},
                   {"beta", 0.1},
                   {"policy_chosen", batches[1].pc},
                   {"policy_rejected", batches[1].pr},
                   {"chosen_tokens", batches[1].nc},
                   {"rejected_tokens", batches[1].nr}});
  auto scores_c = normal(B, 0, 2), scores_r = normal(B, 0, 2), margins = normal(B, 0.5, 0.2);
  cases.push_back(
      {{"name", "bradley_terry"}, {"chosen", scores_c}, {"rejected", scores_r}, {"margin", margins}, {"center", 0.01}});
  std::vector<bool> desirable;
  std::bernoulli_distribution coin(0.6);
  for (int i = 0; i < B; ++i) desirable.push_back(coin(rng));
  auto kl_policy = logps(B), kl_reference = logps(B);
  cases.push_back({{"name", "kto"},
                   {"beta", 0.1},
                   {"desirable_weight", 1.0},
                   {"undesirable_weight", 1.5},
                   {"policy", batches[2].pc},
                   {"reference", batches[2].rc},
                   {"desirable", desirable},
                   {"kl_policy", kl_policy},
                   {"kl_reference", kl_reference}});

  test_support::TempDir dir("prefs-losses");
  auto out = test_support::runPythonReference(kLossReferenceScript, dir / "cases.json", {{"cases", cases}});
  ASSERT_FALSE(out.is_null());
  const auto& results = out["results"];
  auto pair = [](const Batch& b, bool reference) {
    if (reference) return PairLogps{seq(b.rc, b.nc), seq(b.rr, b.nr)};
    return PairLogps{seq(b.pc, b.nc), seq(b.pr, b.nr)};
  };
  for (int i = 0; i < 4; ++i) {
    auto kind = *parseDpoLossKind(kinds[i]);
    auto ours = dpoLoss(kind, pair(batches[i], false), pair(batches[i], true), 0.05 + 0.1 * i, 0.1 * i);
    const double expected = results[i]["loss"].get<double>();
    EXPECT_NEAR(ours.loss.item<double>(), expected, kTight * std::max(1.0, std::abs(expected))) << kinds[i];
    auto expected_rewards = results[i]["chosen_rewards"].get<std::vector<double>>();
    auto rewards = toVector(ours.chosen_rewards);
    for (int j = 0; j < B; ++j) EXPECT_NEAR(rewards[j], expected_rewards[j], kTight * 100) << kinds[i];
  }
  EXPECT_NEAR(simpoLoss(pair(batches[0], false), 2.0, 0.5).loss.item<double>(), results[4]["loss"].get<double>(),
              kTight * 10);
  auto orpo = orpoLoss(pair(batches[1], false), 0.1);
  EXPECT_NEAR(orpo.loss.item<double>(), results[5]["loss"].get<double>(), kTight * 10);
  EXPECT_NEAR(orpo.log_odds_chosen.item<double>(), results[5]["log_odds_chosen"].get<double>(), kTight * 10);
  EXPECT_NEAR(bradleyTerryLoss(doubles(scores_c), doubles(scores_r), doubles(margins), 0.01).loss.item<double>(),
              results[6]["loss"].get<double>(), kTight);
  auto labels = torch::tensor(std::vector<int64_t>(desirable.begin(), desirable.end()), torch::kLong);
  auto kto = ktoLoss(doubles(batches[2].pc), doubles(batches[2].rc), labels, doubles(kl_policy), doubles(kl_reference),
                     0.1, 1.0, 1.5);
  EXPECT_NEAR(kto.loss.item<double>(), results[7]["loss"].get<double>(), kTight);
  EXPECT_NEAR(kto.kl.item<double>(), results[7]["kl"].get<double>(), kTight * 100);
}

}  // namespace
}  // namespace temper
