#pragma once
/// Supervised finetuning examples: records (data_format.h) turned into token ids with a loss mask
/// that is 1 on the response tokens only (TRL's completion-only loss; labels are -100 elsewhere):
///   prompt-completion  prompt tokens | completion tokens + eos
///   alpaca             the Stanford Alpaca prompt around instruction (and input) | output + eos
///   messages           the model's chat template; every assistant turn and its end marker
///   text               split at `response_template` (TRL's DataCollatorForCompletionOnlyLM): the
///                      text up to and including the first occurrence | the rest + eos
/// Prompt and completion are encoded separately and joined, so the boundary never falls inside a
/// token. Examples longer than the limit are truncated (or dropped) and counted; an example left
/// with no response token is dropped and counted.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/data/data_format.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"

namespace temper {

struct TokenizedExample {
  std::vector<int> ids;
  std::vector<char> loss_mask;  ///< per id: 1 when the model is trained to predict it
  std::string source;           ///< "file:line"
};

struct SftOptions {
  int64_t max_tokens = 1024;         ///< longest example kept (ctx + 1: ctx inputs, each predicting the next)
  bool drop_long = false;            ///< drop rather than truncate examples over max_tokens
  std::string response_template;     ///< for `text` records
  std::optional<ChatTemplate> chat;  ///< for `messages` records
};

struct SftExamples {
  DataFormat format = DataFormat::Text;
  std::vector<TokenizedExample> examples;
  int64_t records = 0;
  int64_t truncated = 0;          ///< cut to max_tokens and kept
  int64_t dropped_long = 0;       ///< over max_tokens with drop_long
  int64_t dropped_no_target = 0;  ///< no response token left (empty completion, or truncated away)
  int64_t target_tokens = 0;      ///< tokens carrying loss over all kept examples
  Json summary() const;           ///< the counts above, for events and the run record
};

/// The prompt the Stanford Alpaca repository trains with (with or without an input).
std::string alpacaPrompt(const std::string& instruction, const std::string& input);

/// Builds the examples of `records`, whose format must be one SFT understands. Throws
/// Error(InvalidInput) naming the record for a missing field, Error(InvalidConfig) for `text`
/// records without a response template, `messages` without a chat template, or a format SFT
/// cannot train on (text-label, preference), saying which method takes it.
SftExamples buildSftExamples(const std::vector<Record>& records, const Tokenizer& tokenizer, const SftOptions& options);

/// Concatenates examples (masks included) in order and cuts the stream into pieces of
/// `window` tokens that overlap by one (each piece predicts its own tokens after the first), as
/// TRL's packing does: fewer pad tokens, at the price of attention across example boundaries.
std::vector<TokenizedExample> packExamples(const std::vector<TokenizedExample>& examples, int64_t window);

}  // namespace temper
