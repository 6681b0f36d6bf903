#pragma once
/// The `--data` of the pairwise preference methods (docs/preference-training.md, "Data"):
///   set:NAME  a preference set in the workspace's store: each pair's verdict from its labels
///             (pair_verdict.h), filtered by `min_agreement` and `labeller` exactly as
///             `temper prefs export` does; ties, both-bad, skips, unlabelled pairs and verdicts
///             below the agreement are left out and counted
///   FILE      a JSONL / JSON file (also .gz) in a TRL preference format: explicit, implicit
///             prompt, conversational, or unpaired KTO records paired per prompt (preference_import.h)
/// Either way the result is pairs whose completion A is the chosen answer.
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/store/preference_records.h"

namespace temper {

struct PreferenceDataRequest {
  std::string data;       ///< "set:NAME" or a file path
  std::string workspace;  ///< for set:NAME ("" = the default workspace)
  double min_agreement = 0;
  std::string labeller;  ///< only this labeller's votes ("" = everyone's)
};

struct PreferenceTrainingPairs {
  std::vector<NewPreferencePair> pairs;  ///< completion_a is the chosen answer
  std::string name;                      ///< "set NAME" or the file name, for sources and messages
  bool conversational = false;
  Json selection;  ///< what was read and what was left out, and why (the export's or the import's counts)
};

/// Throws Error(InvalidConfig) for an unknown set, a min-agreement outside [0, 1], or options that
/// only apply to sets given with a file; Error(InvalidInput) naming file:line for a bad record.
PreferenceTrainingPairs loadPreferenceTrainingPairs(const PreferenceDataRequest& request);

}  // namespace temper
