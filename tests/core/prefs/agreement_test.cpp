// Agreement figures against published and hand-computed values: Krippendorff's own worked example
// (nominal alpha 0.743, n = 40), Cohen's kappa from a 2x2 table worked by hand, scipy's exact
// binomial p-value, and a set's statistics worked out label by label.
#include "core/prefs/agreement.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/prefs/preference_stats.h"

namespace temper {
namespace {

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers,
// twelve units, missing values; the paper gives alpha = 0.743 for nominal data over n = 40 values.
Ratings krippendorffExample() {
  const int none = 0;
  const int a[] = {1, 2, 3, 3, 2, 1, 4, 1, 2, none, none, none};
  const int b[] = {1, 2, 3, 3, 2, 2, 4, 1, 2, 5, none, 3};
  const int c[] = {none, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, none};
  const int d[] = {1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, none};
  Ratings ratings(12);
  for (size_t u = 0; u < 12; ++u) {
    const std::pair<const char*, int> row[] = {{"A", a[u]}, {"B", b[u]}, {"C", c[u]}, {"D", d[u]}};
    for (const auto& [observer, value] : row) {
      if (value != none) ratings[u][observer] = std::to_string(value);
    }
  }
  return ratings;
}

TEST(Agreement, KrippendorffAlphaMatchesThePublishedExample) {
  const AlphaResult alpha = krippendorffAlphaNominal(krippendorffExample());
  EXPECT_EQ(alpha.values, 40);  // unit 12 (rated once) does not count
  EXPECT_EQ(alpha.units, 11);
  // 1 - (n - 1) * 10 / 1520 = 0.74342...: the paper rounds it to 0.743.
  EXPECT_NEAR(alpha.alpha, 1.0 - 39.0 * 10.0 / 1520.0, 1e-12);
  EXPECT_NEAR(alpha.alpha, 0.743, 5e-4);
}

TEST(Agreement, AlphaIsUndefinedWithoutVariationAndPerfectWhenAllAgree) {
  Ratings same = {{{"x", "a"}, {"y", "a"}}, {{"x", "a"}, {"y", "a"}}};
  EXPECT_TRUE(std::isnan(krippendorffAlphaNominal(same).alpha));
  Ratings agree = {{{"x", "a"}, {"y", "a"}}, {{"x", "b"}, {"y", "b"}}, {{"x", "tie"}}};
  EXPECT_DOUBLE_EQ(krippendorffAlphaNominal(agree).alpha, 1.0);
  EXPECT_TRUE(std::isnan(krippendorffAlphaNominal({{{"x", "a"}}}).alpha));
}

TEST(Agreement, CohensKappaMatchesAHandComputation) {
  // 50 items: both yes 20, first yes / second no 5, first no / second yes 10, both no 15.
  // p_o = 35/50 = 0.7; first says yes 25/50, second 30/50: p_e = 0.5*0.6 + 0.5*0.4 = 0.5;
  // kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
  Ratings ratings;
  auto add = [&](int count, const char* first, const char* second) {
    for (int i = 0; i < count; ++i) ratings.push_back({{"ann", first}, {"bob", second}});
  };
  add(20, "yes", "yes");
  add(5, "yes", "no");
  add(10, "no", "yes");
  add(15, "no", "no");
  ratings.push_back({{"ann", "yes"}});  // rated by one only: not in kappa
  const TwoRaterAgreement k = cohensKappa(ratings, "ann", "bob");
  EXPECT_EQ(k.units, 50);
  EXPECT_NEAR(k.observed, 0.7, 1e-12);
  EXPECT_NEAR(k.expected, 0.5, 1e-12);
  EXPECT_NEAR(k.kappa, 0.4, 1e-12);
  EXPECT_NEAR(rawAgreement(ratings), 0.7, 1e-12);
  const auto all = pairwiseAgreement(ratings);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].first, "ann");
  EXPECT_EQ(all[0].second, "bob");
}

TEST(Agreement, BinomialPValueMatchesScipy) {
  // scipy.stats.binomtest(60, 100).pvalue = 0.05688793364098078; binomtest(3, 10) = 0.34375.
  EXPECT_NEAR(binomialTwoSidedP(60, 100), 0.05688793364098078, 1e-12);
  EXPECT_NEAR(binomialTwoSidedP(40, 100), 0.05688793364098078, 1e-12);
  EXPECT_NEAR(binomialTwoSidedP(3, 10), 0.34375, 1e-12);
  EXPECT_DOUBLE_EQ(binomialTwoSidedP(5, 10), 1.0);
  EXPECT_DOUBLE_EQ(binomialTwoSidedP(0, 0), 1.0);
}

PreferenceLabelRecord label(int64_t id, int64_t pair, const char* who, const char* choice, const char* left,
                            double seconds, int64_t supersedes = 0) {
  PreferenceLabelRecord l;
  l.id = id;
  l.pair_id = pair;
  l.labeller = who;
  l.choice = choice;
  l.shown_left = left;
  l.seconds_spent = seconds;
  l.supersedes = supersedes;
  return l;
}

TEST(PreferenceStats, CountsAgreementTimeAndPositionFromTheLabels) {
  // ann: pair 1 a (left a, 4 s), pair 2 b changed from a (left a: 2 s then 6 s), pair 3 skip.
  // bob: pair 1 a (left b, 10 s), pair 2 a (left b, 8 s), pair 3 tie, then undone.
  std::vector<PreferenceLabelRecord> history = {
      label(1, 1, "ann", "a", "a", 4),    label(2, 2, "ann", "a", "a", 2),       label(3, 2, "ann", "b", "a", 6, 2),
      label(4, 3, "ann", "skip", "a", 1), label(5, 1, "bob", "a", "b", 10),      label(6, 2, "bob", "a", "b", 8),
      label(7, 3, "bob", "tie", "", NAN), label(8, 3, "bob", "undo", "", NAN, 7)};
  std::vector<PreferenceLabelRecord> current = {history[0], history[2], history[3], history[4], history[5]};
  PreferenceSetRecord set;
  set.name = "s";
  set.pairs = 4;
  set.labelled_pairs = 3;
  const PreferenceStats stats = computePreferenceStats(set, history, current);
  EXPECT_EQ(stats.by_choice.at("a"), 3);
  EXPECT_EQ(stats.by_choice.at("b"), 1);
  EXPECT_EQ(stats.by_choice.at("skip"), 1);
  EXPECT_EQ(stats.multiply_labelled, 2);  // pairs 1 and 2; ann's skip on 3 is no vote
  ASSERT_EQ(stats.labellers.size(), 2u);
  const LabellerStats& ann = stats.labellers[0];
  EXPECT_EQ(ann.name, "ann");
  EXPECT_EQ(ann.current, 3);
  EXPECT_EQ(ann.votes_cast, 4);
  EXPECT_DOUBLE_EQ(ann.mean_seconds, (4 + 2 + 6 + 1) / 4.0);
  EXPECT_DOUBLE_EQ(ann.median_seconds, 3.0);
  EXPECT_DOUBLE_EQ(ann.labels_per_hour, 4 * 3600.0 / 13.0);
  const LabellerStats& bob = stats.labellers[1];
  EXPECT_EQ(bob.undos, 1);
  EXPECT_EQ(bob.votes_cast, 3);
  EXPECT_DOUBLE_EQ(bob.mean_seconds, 9.0);  // the tie had no time
  // Two shared pairs, agreeing on pair 1 only.
  EXPECT_DOUBLE_EQ(stats.raw_agreement, 0.5);
  ASSERT_EQ(stats.kappas.size(), 1u);
  EXPECT_EQ(stats.kappas[0].units, 2);
  // ann a,b; bob a,a: p_o = 1/2, p_e = (1/2)(2/2) + (1/2)(0) = 1/2, kappa 0.
  EXPECT_DOUBLE_EQ(stats.kappas[0].kappa, 0.0);
  // Position: decided votes in force with a known side: ann 1 (a, left a: left won), ann 2 (b,
  // left a: right won), bob 1 (a, left b: right won), bob 2 (a, left b: right won).
  EXPECT_EQ(stats.position.decided, 4);
  EXPECT_EQ(stats.position.left_wins, 1);
  EXPECT_DOUBLE_EQ(stats.position.left_share, 0.25);
  EXPECT_NEAR(stats.position.p_value, 0.625, 1e-12);  // P(X <= 1 or X >= 3), n = 4
  EXPECT_DOUBLE_EQ(stats.mean_seconds, (4 + 2 + 6 + 1 + 10 + 8) / 6.0);
  const Json json = stats.toJson();
  EXPECT_EQ(json["agreement"]["cohens_kappa"][0]["labellers"][1], "bob");
  EXPECT_TRUE(json["labellers"][1]["median_seconds"].is_number());
}

}  // namespace
}  // namespace temper
