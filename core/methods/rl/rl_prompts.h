#pragma once
/// The prompts an online method (GRPO, RLOO) samples completions for (docs/preference-training.md,
/// "Prompts"). `data` is a record file (JSONL / JSON / CSV, also .gz) or `set:NAME`, the prompts
/// of a preference set in the workspace's store (every pair's prompt once, labelled or not). A
/// record's prompt is, in this order:
///   prompt        text, or a conversation (a list of {"role", "content"}): TRL's prompt-only and
///                 prompt-completion records, and preference records (their answers are ignored)
///   instruction   (and `input`) the Stanford Alpaca prompt around them
///   messages      the conversation up to its last assistant turn, whose text becomes the field
///                 `completion` (a reference answer a rule may compare with)
/// Every other top-level string, number or boolean of the record is kept as a field, by name, for
/// the rules that compare with the example (exact-match, numeric-match: "answer" in GSM8K-style
/// records). Text prompts are encoded after the tokenizer's prefix (bos); conversations rendered
/// with the chat template and the assistant header (add_generation_prompt), as sft renders them.
/// A prompt longer than `max_prompt_tokens` (the context less the completion budget) is dropped
/// and counted: cutting it would change the question a rule checks the answer of.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/tokenizer/tokenizer.h"

namespace temper {

struct RlPrompt {
  std::vector<int> ids;                       ///< what the policy continues
  std::string text;                           ///< the prompt as text ("" for a conversation)
  std::string messages_json;                  ///< the conversation ("" for a text prompt)
  std::map<std::string, std::string> fields;  ///< the record's other values, as text
  std::string source;                         ///< "file:line" or "set NAME pair N"
};

struct RlPrompts {
  std::vector<RlPrompt> prompts;
  int64_t records = 0;
  int64_t dropped_long = 0;  ///< prompts over max_prompt_tokens
  Json summary() const;
};

struct RlPromptSetup {
  std::string data;       ///< a record file or set:NAME
  std::string val_data;   ///< the same kinds; empty: hold out val_fraction of `data`
  std::string workspace;  ///< for set:NAME ("" = the default workspace)
  double val_fraction = 0.1;
  uint64_t seed = 1337;
  int64_t max_prompt_tokens = 512;
  std::filesystem::path tokenizer_source;  ///< the base folder (its chat template) or a tokenizer file
  std::string chat_template;               ///< a family name overriding the base's own; empty: the base's
  /// Fields every record must have (the rules' exact-match and numeric-match arguments).
  std::vector<std::string> required_fields;
};

struct RlPromptData {
  RlPrompts train;
  RlPrompts val;
  Json summary;  ///< recorded with the run: the source and each split's counts
};

/// Throws Error(InvalidInput) naming file:line for a record with no prompt, a prompt of the wrong
/// type or a required field missing, and when no training or validation prompt is left;
/// Error(InvalidConfig) for an unknown set, or a conversation without a chat template.
RlPromptData loadRlPrompts(const RlPromptSetup& setup, const Tokenizer& tokenizer);

}  // namespace temper
