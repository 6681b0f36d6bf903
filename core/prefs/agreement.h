#pragma once
/// Inter-annotator agreement on categorical labels (docs/preferences.md, "Agreement"): raw
/// agreement and Cohen's kappa for two labellers, Krippendorff's alpha (nominal) for any number,
/// missing labels allowed. Plain std; the units and categories are whatever the caller counts.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace temper {

/// One unit (a pair) → labeller → category. A labeller absent from a unit did not rate it.
using Ratings = std::vector<std::map<std::string, std::string>>;

struct TwoRaterAgreement {
  std::string first, second;
  int64_t units = 0;    ///< units both rated
  double observed = 0;  ///< share of those where they chose the same category (NaN: none shared)
  double expected = 0;  ///< chance agreement from each one's own category shares
  double kappa = 0;     ///< Cohen's (observed - expected) / (1 - expected); NaN when expected is 1
};

/// Cohen's kappa between `first` and `second` over the units both rated.
TwoRaterAgreement cohensKappa(const Ratings& ratings, const std::string& first, const std::string& second);

/// Every pair of labellers who share at least one unit, names in order.
std::vector<TwoRaterAgreement> pairwiseAgreement(const Ratings& ratings);

struct AlphaResult {
  double alpha = 0;     ///< 1 - observed / expected disagreement; NaN when undefined
  int64_t units = 0;    ///< units with two or more ratings (the only ones that count)
  int64_t values = 0;   ///< ratings in those units (Krippendorff's n)
  double observed = 0;  ///< observed disagreement D_o
  double expected = 0;  ///< expected disagreement D_e
};

/// Krippendorff's alpha for nominal data (Krippendorff 2011, "Computing Krippendorff's
/// Alpha-Reliability"): the coincidence matrix of the values paired within each unit. Units rated
/// once are left out; NaN when fewer than two such ratings exist or every value is one category.
AlphaResult krippendorffAlphaNominal(const Ratings& ratings);

/// The raw agreement over every unit rated by two or more: the share of agreeing pairs of
/// ratings among all pairs of ratings within a unit (pairwise, each unit weighted by its pairs).
/// NaN when no unit has two ratings.
double rawAgreement(const Ratings& ratings);

/// Two-sided exact binomial test of `successes` in `trials` against p = 0.5: the probability of an
/// outcome at least as far from trials/2. 1 when trials is 0.
double binomialTwoSidedP(int64_t successes, int64_t trials);

}  // namespace temper
