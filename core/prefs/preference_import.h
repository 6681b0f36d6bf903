#pragma once
/// Preference records as TRL and the datasets people download write them, turned into the store's
/// pairs (docs/preferences.md, "Import"). The format is decided from the first record's keys and
/// every record must then have the same shape:
///   explicit      {"prompt", "chosen", "rejected"}   text, or conversational: prompt a message
///                                                    list, chosen/rejected one assistant message each
///   implicit      {"chosen", "rejected"}             the shared beginning is the prompt (HH)
///   unpaired      {"prompt", "completion", "label"}  KTO: a desirable and an undesirable
///                                                    completion of the same prompt make a pair
/// Chosen (or desirable) becomes completion A, and the file's verdict a label "a".
#include <cstdint>
#include <string>
#include <vector>

#include "core/data/records.h"
#include "core/store/preference_records.h"
#include "core/tokenizer/chat_template.h"

namespace temper {

struct PreferenceImportOptions {
  /// Markers an implicit prompt ends with, beyond knownAssistantMarkers() (--prompt-end).
  std::vector<std::string> extra_prompt_ends{};
};

struct ParsedPreferences {
  std::string format{};                    ///< "explicit", "implicit" or "unpaired"
  bool conversational = false;             ///< prompts are message lists
  std::vector<NewPreferencePair> pairs{};  ///< completion A is the chosen one
  int64_t records = 0;
  int64_t identical = 0;  ///< chosen equal to rejected: no preference in it, not imported
  /// Unpaired records left without a partner of the other verdict for their prompt (not imported).
  int64_t unmatched_desirable = 0, unmatched_undesirable = 0;
  Json summary() const;
};

/// Throws Error(InvalidInput) naming "file:line" and the field for a record of another shape, a
/// field of the wrong type, a message list that is not {"role","content"} objects, an implicit
/// record whose chosen and rejected share no prompt, or a label that is not true/false.
ParsedPreferences parsePreferenceRecords(const std::vector<Record>& records, const PreferenceImportOptions& options);

/// Message lists as the store keeps them: compact JSON of {"role","content"} objects only.
std::string messagesJson(const std::vector<ChatMessage>& messages);

}  // namespace temper
