#include "core/prefs/implicit_prompt.h"

#include <algorithm>
#include <cctype>

namespace temper {
namespace {

bool isContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
// Letters, digits, '_' and any byte of a multi-byte UTF-8 character (a word in most scripts).
bool isWordByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || std::isalnum(u) != 0 || c == '_';
}

// The length of the shared prefix, backed off so that it ends on a character boundary of both.
size_t sharedPrefixLength(const std::string& a, const std::string& b) {
  const size_t limit = std::min(a.size(), b.size());
  size_t k = 0;
  while (k < limit && a[k] == b[k]) ++k;
  while (k > 0 && ((k < a.size() && isContinuationByte(a[k])) || (k < b.size() && isContinuationByte(b[k])))) --k;
  return k;
}

}  // namespace

const std::vector<std::string>& knownAssistantMarkers() {
  static const std::vector<std::string> markers = {
      "\n\nAssistant:",  "<|im_start|>assistant\n",
      "[/INST]",         "<|start_header_id|>assistant<|end_header_id|>\n\n",
      "<|assistant|>\n", "<start_of_turn>model\n",
      "### Response:\n",
  };
  return markers;
}

std::optional<TextPromptSplit> splitImplicitPrompt(const std::string& chosen, const std::string& rejected,
                                                   const std::vector<std::string>& markers) {
  if (chosen == rejected) return std::nullopt;
  const size_t shared = sharedPrefixLength(chosen, rejected);
  const std::string_view prefix(chosen.data(), shared);
  size_t cut = 0;
  for (const std::string& marker : markers) {
    if (marker.empty()) continue;
    const size_t at = prefix.rfind(marker);
    if (at != std::string_view::npos) cut = std::max(cut, at + marker.size());
  }
  if (cut == 0) {
    // No turn marker: never cut a word in two, nor leave an answer empty, and keep the space
    // before the answers with them (" Yes" / " No" after "Answer:"), as TRL's extract_prompt does.
    cut = shared;
    const bool ends_one = cut == chosen.size() || cut == rejected.size();
    const bool inside_a_word =
        !ends_one && cut > 0 && isWordByte(chosen[cut - 1]) && (isWordByte(chosen[cut]) || isWordByte(rejected[cut]));
    if (ends_one || inside_a_word) {
      while (cut > 0 && !isSpace(chosen[cut - 1])) --cut;
    }
    if (cut > 0 && chosen[cut - 1] == ' ') --cut;
  }
  if (cut == 0) return std::nullopt;
  return TextPromptSplit{chosen.substr(0, cut), chosen.substr(cut), rejected.substr(cut)};
}

std::optional<ChatPromptSplit> splitImplicitChat(const std::vector<ChatMessage>& chosen,
                                                 const std::vector<ChatMessage>& rejected, std::string& why_not) {
  size_t shared = 0;
  while (shared < chosen.size() && shared < rejected.size() && chosen[shared].role == rejected[shared].role &&
         chosen[shared].content == rejected[shared].content) {
    ++shared;
  }
  if (shared == 0) {
    why_not = "`chosen` and `rejected` share no first message, so there is no prompt";
    return std::nullopt;
  }
  if (shared == chosen.size() && shared == rejected.size()) {
    why_not = "`chosen` and `rejected` are the same conversation";
    return std::nullopt;
  }
  for (const auto* side : {&chosen, &rejected}) {
    const char* name = side == &chosen ? "chosen" : "rejected";
    if (side->size() != shared + 1 || (*side)[shared].role != "assistant") {
      why_not = std::string("after the ") + std::to_string(shared) + " shared message(s), `" + name +
                "` must have exactly one more message, the assistant's answer; it has " +
                std::to_string(side->size() - std::min(side->size(), shared)) +
                (side->size() > shared ? " starting with role `" + (*side)[shared].role + "`" : std::string());
      return std::nullopt;
    }
  }
  return ChatPromptSplit{std::vector<ChatMessage>(chosen.begin(), chosen.begin() + static_cast<ptrdiff_t>(shared)),
                         chosen[shared], rejected[shared]};
}

}  // namespace temper
