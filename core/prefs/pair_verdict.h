#pragma once
/// What the labels of one pair say together: the choice most labellers made and how many agree
/// (docs/preferences.md, "Export"). Skips are not votes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/preference_records.h"

namespace temper {

struct PairVerdict {
  std::string choice{};    ///< the choice with the most votes; "" when two choices share the most
  int64_t votes = 0;       ///< current labels other than skip
  int64_t for_choice = 0;  ///< votes for `choice` (for the tied choices when `choice` is "")
  double agreement = 0;    ///< for_choice / votes
  std::string rewrite{};   ///< the newest rewrite among the labels that made `choice` ("" none)
};

/// `labels`: the current labels of one pair (any labellers). nullopt when none is a vote.
std::optional<PairVerdict> pairVerdict(const std::vector<PreferenceLabelRecord>& labels);

}  // namespace temper
