#include "core/prefs/preference_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace temper {
namespace {

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

double mean(const std::vector<double>& values) {
  if (values.empty()) return kNoValue;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double median(std::vector<double> values) {
  if (values.empty()) return kNoValue;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
}

// JSON has no NaN: an undefined figure is null.
Json number(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

}  // namespace

Ratings ratingsOf(const std::vector<PreferenceLabelRecord>& current) {
  std::map<int64_t, std::map<std::string, std::string>> by_pair;
  for (const auto& label : current) {
    if (label.choice == kPreferSkip || label.choice == kPreferUndo) continue;
    by_pair[label.pair_id][label.labeller] = label.choice;
  }
  Ratings ratings;
  for (auto& [pair, unit] : by_pair) ratings.push_back(std::move(unit));
  return ratings;
}

PreferenceStats computePreferenceStats(const PreferenceSetRecord& set,
                                       const std::vector<PreferenceLabelRecord>& history,
                                       const std::vector<PreferenceLabelRecord>& current) {
  PreferenceStats stats;
  stats.set = set;
  stats.pairs = set.pairs;
  stats.labelled_pairs = set.labelled_pairs;

  std::map<std::string, LabellerStats> labellers;
  std::map<std::string, std::vector<double>> seconds_by_labeller;
  std::vector<double> all_seconds;
  for (const auto& label : history) {
    LabellerStats& who = labellers[label.labeller];
    who.name = label.labeller;
    if (label.choice == kPreferUndo) {
      ++who.undos;
      continue;
    }
    ++who.votes_cast;
    if (std::isfinite(label.seconds_spent) && label.seconds_spent >= 0) {
      seconds_by_labeller[label.labeller].push_back(label.seconds_spent);
      all_seconds.push_back(label.seconds_spent);
    }
  }
  for (const auto& label : current) {
    LabellerStats& who = labellers[label.labeller];
    who.name = label.labeller;
    ++who.current;
    ++who.by_choice[label.choice];
    ++stats.by_choice[label.choice];
    if ((label.choice == kPreferA || label.choice == kPreferB) && !label.shown_left.empty()) {
      ++stats.position.decided;
      stats.position.left_wins += label.choice == label.shown_left ? 1 : 0;
    }
  }
  for (auto& [name, who] : labellers) {
    const auto& seconds = seconds_by_labeller[name];
    who.mean_seconds = mean(seconds);
    who.median_seconds = median(seconds);
    double total = 0;
    for (double s : seconds) total += s;
    who.labels_per_hour = total > 0 ? static_cast<double>(seconds.size()) * 3600.0 / total : kNoValue;
    stats.labellers.push_back(who);
  }
  stats.mean_seconds = mean(all_seconds);
  stats.median_seconds = median(all_seconds);

  const Ratings ratings = ratingsOf(current);
  for (const auto& unit : ratings) stats.multiply_labelled += unit.size() >= 2 ? 1 : 0;
  stats.kappas = pairwiseAgreement(ratings);
  stats.raw_agreement = rawAgreement(ratings);
  stats.alpha = krippendorffAlphaNominal(ratings);

  PositionBias& bias = stats.position;
  bias.left_share =
      bias.decided > 0 ? static_cast<double>(bias.left_wins) / static_cast<double>(bias.decided) : kNoValue;
  bias.p_value = binomialTwoSidedP(bias.left_wins, bias.decided);
  return stats;
}

Json PreferenceStats::toJson() const {
  Json labellers_json = Json::array();
  for (const auto& who : labellers) {
    labellers_json.push_back({{"name", who.name},
                              {"labels", who.current},
                              {"by_choice", who.by_choice},
                              {"votes_cast", who.votes_cast},
                              {"undos", who.undos},
                              {"mean_seconds", number(who.mean_seconds)},
                              {"median_seconds", number(who.median_seconds)},
                              {"labels_per_hour", number(who.labels_per_hour)}});
  }
  Json kappas_json = Json::array();
  for (const auto& k : kappas) {
    kappas_json.push_back({{"labellers", {k.first, k.second}},
                           {"pairs", k.units},
                           {"observed", number(k.observed)},
                           {"expected", number(k.expected)},
                           {"kappa", number(k.kappa)}});
  }
  return Json{{"set", set.name},
              {"pairs", pairs},
              {"labelled_pairs", labelled_pairs},
              {"multiply_labelled_pairs", multiply_labelled},
              {"by_choice", by_choice},
              {"labellers", labellers_json},
              {"agreement",
               {{"raw", number(raw_agreement)},
                {"cohens_kappa", kappas_json},
                {"krippendorff_alpha", number(alpha.alpha)},
                {"alpha_pairs", alpha.units},
                {"alpha_values", alpha.values}}},
              {"seconds_per_label", {{"mean", number(mean_seconds)}, {"median", number(median_seconds)}}},
              {"position_bias",
               {{"decided", position.decided},
                {"left_wins", position.left_wins},
                {"left_share", number(position.left_share)},
                {"p_value", number(position.p_value)}}}};
}

}  // namespace temper
