#pragma once
/// `temper prefs stats`: what the labels of a set add up to (docs/preferences.md, "Statistics"):
/// counts by choice and labeller, agreement (raw, Cohen's kappa per two labellers, Krippendorff's
/// alpha), time per label and position bias.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/prefs/agreement.h"
#include "core/store/preference_records.h"

namespace temper {

struct LabellerStats {
  std::string name{};
  int64_t current = 0;                         ///< labels in force (skips included)
  std::map<std::string, int64_t> by_choice{};  ///< of the labels in force
  int64_t votes_cast = 0;                      ///< every vote ever written, changed ones included
  int64_t undos = 0;
  double mean_seconds = 0;  ///< per vote cast with a known time (NaN: none)
  double median_seconds = 0;
  double labels_per_hour = 0;  ///< votes cast per hour of time spent on them (NaN: none timed)
};

struct PositionBias {
  int64_t decided = 0;    ///< labels in force choosing a or b whose left side is known
  int64_t left_wins = 0;  ///< of those, the side shown left won
  double left_share = 0;  ///< NaN when none
  double p_value = 1;     ///< two-sided exact binomial test against 1/2
};

struct PreferenceStats {
  PreferenceSetRecord set{};
  int64_t pairs = 0;
  int64_t labelled_pairs = 0;                  ///< at least one label in force (skips included)
  int64_t multiply_labelled = 0;               ///< votes (not skips) by two or more labellers
  std::map<std::string, int64_t> by_choice{};  ///< labels in force
  std::vector<LabellerStats> labellers{};
  std::vector<TwoRaterAgreement> kappas{};  ///< per two labellers sharing pairs
  double raw_agreement = 0;                 ///< NaN when no pair has two votes
  AlphaResult alpha{};
  double mean_seconds = 0, median_seconds = 0;  ///< per vote cast (NaN: none timed)
  PositionBias position{};
  Json toJson() const;
};

/// `history`: every label row of the set (Store::preferenceLabelHistory); `current`: the labels
/// in force (Store::currentPreferenceLabels).
PreferenceStats computePreferenceStats(const PreferenceSetRecord& set,
                                       const std::vector<PreferenceLabelRecord>& history,
                                       const std::vector<PreferenceLabelRecord>& current);

/// The agreement units of a set: per pair, each labeller's vote in force (skips are not votes).
Ratings ratingsOf(const std::vector<PreferenceLabelRecord>& current);

}  // namespace temper
