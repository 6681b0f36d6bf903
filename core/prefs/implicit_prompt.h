#pragma once
/// Recovering the prompt of a preference record that has none (TRL's "implicit prompt" format,
/// Anthropic HH: `{"chosen": prompt + answer, "rejected": prompt + other answer}`). The prompt is
/// the text both share, cut where the answers begin (docs/preferences.md, "Implicit prompts").
#include <optional>
#include <string>
#include <vector>

#include "core/tokenizer/chat_template.h"

namespace temper {

/// The assistant-turn markers an implicit prompt is cut after when the shared text contains one:
/// HH's "\n\nAssistant:", ChatML's "<|im_start|>assistant\n", Llama 2's "[/INST]", Llama 3's
/// assistant header, Zephyr's "<|assistant|>\n", Gemma's "<start_of_turn>model\n", Alpaca's
/// "### Response:\n".
const std::vector<std::string>& knownAssistantMarkers();

struct TextPromptSplit {
  std::string prompt, chosen, rejected;
};

/// Splits two texts that share a prompt. The shared prefix (never cut inside a UTF-8 character) is
/// cut just after the last assistant marker it contains (`markers`: knownAssistantMarkers() and any
/// the user adds), so the shared first words of two answers stay in the answers. Without a marker
/// it is cut at the start of the word where the texts differ, before the space that precedes it
/// (as TRL's extract_prompt does). nullopt when nothing is shared, or the texts are equal.
std::optional<TextPromptSplit> splitImplicitPrompt(const std::string& chosen, const std::string& rejected,
                                                   const std::vector<std::string>& markers);

struct ChatPromptSplit {
  std::vector<ChatMessage> prompt;
  ChatMessage chosen, rejected;
};

/// Two conversations that share their first messages: the shared messages are the prompt and
/// each must then have exactly one more message, the assistant's answer. Returns the reason as an
/// error message otherwise (it names no file: the caller adds where).
std::optional<ChatPromptSplit> splitImplicitChat(const std::vector<ChatMessage>& chosen,
                                                 const std::vector<ChatMessage>& rejected, std::string& why_not);

}  // namespace temper
