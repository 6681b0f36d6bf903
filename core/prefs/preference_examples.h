#pragma once
/// Preference pairs turned into the token ids the pairwise methods train on (reward model, DPO
/// family, SimPO, ORPO), as TRL's DPO trainer tokenizes them (docs/preference-training.md, "Data"):
///   text            prompt ids (with the tokenizer's prefix, e.g. bos) | answer ids + eos
///   conversational  the prompt rendered with the assistant header (add_generation_prompt) | what
///                   rendering prompt + answer adds after it (the answer and its end marker)
/// Prompt and answer are encoded separately for text, so their boundary never falls inside a token.
/// A sequence (prompt + answer) longer than `max_tokens` keeps its start, as TRL's default
/// truncation_mode "keep_start" does; a pair whose prompt alone fills `max_tokens` is dropped (no
/// answer token would be left), and so is a pair whose answers encode to the same tokens.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/store/preference_records.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"

namespace temper {

struct PreferenceExample {
  std::vector<int> prompt;
  std::vector<int> chosen;  ///< the answer's ids only; the sequence is prompt + chosen
  std::vector<int> rejected;
  std::string source;  ///< "NAME pair N", for messages
};

struct PreferenceExampleOptions {
  int64_t max_tokens = 1024;         ///< longest prompt + answer (TRL's max_length)
  std::optional<ChatTemplate> chat;  ///< needed when a pair's prompt is a conversation
  /// Keep a pair whose answers encode to the same tokens (`temper reward` scores one answer as a
  /// pair with itself); training drops them, since they teach nothing.
  bool keep_identical = false;
};

struct PreferenceExamples {
  std::vector<PreferenceExample> examples;
  int64_t pairs = 0;
  int64_t truncated = 0;            ///< pairs with an answer cut to fit max_tokens (kept)
  int64_t dropped_long_prompt = 0;  ///< the prompt alone fills max_tokens
  int64_t dropped_identical = 0;    ///< both answers encode to the same ids
  /// Conversations whose prompt's ids are not the start of prompt + answer's (the template or the
  /// tokenizer joins across the boundary); the answer is then what follows the prompt's length, as
  /// TRL does after its warning. Counted so that a person can see it.
  int64_t boundary_changed = 0;
  int64_t answer_tokens = 0;  ///< chosen + rejected ids over the kept pairs
  Json summary() const;
};

/// `name` says where the pairs came from ("set hh", "prefs.jsonl") in sources and errors. Throws
/// Error(InvalidConfig) when a pair has a conversation prompt and no chat template is given, and
/// Error(InvalidInput) naming the pair for a conversation the template cannot render.
PreferenceExamples buildPreferenceExamples(const std::vector<NewPreferencePair>& pairs, const std::string& name,
                                           const Tokenizer& tokenizer, const PreferenceExampleOptions& options);

}  // namespace temper
