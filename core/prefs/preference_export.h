#pragma once
/// A preference set written back out as TRL reads it (docs/preferences.md, "Export"):
///   trl           {"prompt", "chosen", "rejected"}  (message lists when the prompt is a conversation)
///   trl-implicit  {"chosen", "rejected"}            the prompt written in front of each answer
///   messages      {"prompt": [...], "chosen": [{"role": "assistant", ...}], "rejected": [...]}
///   kto           {"prompt", "completion", "label"} two records per pair
/// A set with any conversation prompt writes every prompt as a conversation (a text prompt as one
/// user message), so that the file has one shape, as a datasets column must.
/// A pair is written when its verdict (pair_verdict.h) is a or b with at least `min_agreement`
/// of its votes; KTO also writes a both-bad verdict, as two undesirable completions.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/store/preference_records.h"

namespace temper {

enum class PreferenceExportFormat { Trl, TrlImplicit, Messages, Kto };

/// "trl", "trl-implicit", "messages", "kto"; nullopt for anything else.
std::optional<PreferenceExportFormat> parsePreferenceExportFormat(const std::string& name);
const char* preferenceExportFormatName(PreferenceExportFormat format);

struct PreferenceExportOptions {
  PreferenceExportFormat format = PreferenceExportFormat::Trl;
  double min_agreement = 0;   ///< in [0, 1]: the verdict's share of the pair's votes
  std::string labeller{};     ///< only this labeller's labels ("" all)
  bool use_rewrites = false;  ///< a rewrite of the better answer replaces it as `chosen`
};

struct PreferenceExport {
  std::vector<Json> records{};
  int64_t pairs = 0;            ///< pairs in the set
  int64_t exported = 0;         ///< pairs written (KTO writes two records each)
  int64_t unlabelled = 0;       ///< no vote (never labelled, or only skipped)
  int64_t no_preference = 0;    ///< verdict tie or both-bad (both-bad is written for KTO)
  int64_t no_majority = 0;      ///< two choices share the most votes
  int64_t below_agreement = 0;  ///< verdict backed by less than min_agreement of the votes
  int64_t rewrites_used = 0;
  int64_t prompts_as_messages = 0;  ///< text prompts written as a user message (see above)
  /// trl-implicit: pairs whose prompt a reader of the written text would not split off the same
  /// way (the answers begin alike and no assistant marker ends the prompt); written, but counted.
  int64_t implicit_ambiguous = 0;
  Json summary() const;
};

/// `labels`: the set's current labels (Store::currentPreferenceLabels).
PreferenceExport buildPreferenceExport(const std::vector<PreferencePairRecord>& pairs,
                                       const std::vector<PreferenceLabelRecord>& labels,
                                       const PreferenceExportOptions& options);

}  // namespace temper
