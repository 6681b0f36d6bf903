#include "core/prefs/agreement.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <set>

namespace temper {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TwoRaterAgreement cohensKappa(const Ratings& ratings, const std::string& first, const std::string& second) {
  TwoRaterAgreement result{first, second};
  std::map<std::string, double> first_counts, second_counts;
  int64_t same = 0;
  for (const auto& unit : ratings) {
    auto a = unit.find(first);
    auto b = unit.find(second);
    if (a == unit.end() || b == unit.end()) continue;
    ++result.units;
    same += a->second == b->second ? 1 : 0;
    first_counts[a->second] += 1;
    second_counts[b->second] += 1;
  }
  if (result.units == 0) {
    result.observed = result.expected = result.kappa = kNaN;
    return result;
  }
  const double n = static_cast<double>(result.units);
  result.observed = static_cast<double>(same) / n;
  for (const auto& [category, count] : first_counts) {
    auto other = second_counts.find(category);
    if (other != second_counts.end()) result.expected += (count / n) * (other->second / n);
  }
  result.kappa = result.expected >= 1.0 ? kNaN : (result.observed - result.expected) / (1.0 - result.expected);
  return result;
}

std::vector<TwoRaterAgreement> pairwiseAgreement(const Ratings& ratings) {
  std::set<std::pair<std::string, std::string>> shared;
  for (const auto& unit : ratings) {
    for (auto a = unit.begin(); a != unit.end(); ++a) {
      for (auto b = std::next(a); b != unit.end(); ++b) shared.insert({a->first, b->first});
    }
  }
  std::vector<TwoRaterAgreement> all;
  for (const auto& [first, second] : shared) all.push_back(cohensKappa(ratings, first, second));
  return all;
}

AlphaResult krippendorffAlphaNominal(const Ratings& ratings) {
  // o[c][k]: the coincidences of values c and k, each ordered pair of ratings within a unit of m
  // ratings counting 1 / (m - 1).
  std::map<std::string, std::map<std::string, double>> coincidences;
  AlphaResult result;
  for (const auto& unit : ratings) {
    const int64_t m = static_cast<int64_t>(unit.size());
    if (m < 2) continue;
    ++result.units;
    result.values += m;
    for (auto a = unit.begin(); a != unit.end(); ++a) {
      for (auto b = unit.begin(); b != unit.end(); ++b) {
        if (a != b) coincidences[a->second][b->second] += 1.0 / static_cast<double>(m - 1);
      }
    }
  }
  const double n = static_cast<double>(result.values);
  std::map<std::string, double> marginal;  // n_c
  double disagreeing = 0;                  // sum of o_ck over c != k
  for (const auto& [c, row] : coincidences) {
    for (const auto& [k, count] : row) {
      marginal[c] += count;
      if (c != k) disagreeing += count;
    }
  }
  double chance_disagreeing = 0;  // sum of n_c n_k over c != k
  for (const auto& [c, nc] : marginal) {
    for (const auto& [k, nk] : marginal) {
      if (c != k) chance_disagreeing += nc * nk;
    }
  }
  if (n < 2 || chance_disagreeing == 0) {
    result.alpha = result.observed = result.expected = kNaN;
    return result;
  }
  result.observed = disagreeing / n;
  result.expected = chance_disagreeing / (n * (n - 1));
  result.alpha = 1.0 - result.observed / result.expected;
  return result;
}

double rawAgreement(const Ratings& ratings) {
  double agreeing = 0, pairs = 0;
  for (const auto& unit : ratings) {
    for (auto a = unit.begin(); a != unit.end(); ++a) {
      for (auto b = std::next(a); b != unit.end(); ++b) {
        pairs += 1;
        agreeing += a->second == b->second ? 1 : 0;
      }
    }
  }
  return pairs == 0 ? kNaN : agreeing / pairs;
}

double binomialTwoSidedP(int64_t successes, int64_t trials) {
  if (trials <= 0) return 1.0;
  const double n = static_cast<double>(trials);
  const double distance = std::fabs(static_cast<double>(successes) - n / 2.0);
  // log C(n, k) 0.5^n, summed over the outcomes at least `distance` from n/2.
  double p = 0;
  for (int64_t k = 0; k <= trials; ++k) {
    const double kd = static_cast<double>(k);
    if (std::fabs(kd - n / 2.0) + 1e-9 < distance) continue;
    p += std::exp(std::lgamma(n + 1) - std::lgamma(kd + 1) - std::lgamma(n - kd + 1) - n * std::log(2.0));
  }
  return std::min(1.0, p);
}

}  // namespace temper
