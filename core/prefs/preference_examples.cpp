#include "core/prefs/preference_examples.h"

#include <algorithm>

#include "core/common/error.h"

namespace temper {
namespace {

bool isConversation(const NewPreferencePair& pair) { return !pair.messages_json.empty() && pair.messages_json != "[]"; }

std::vector<int> textPrompt(const Tokenizer& tokenizer, const std::string& prompt) {
  std::vector<int> ids = tokenizer.prefixIds();
  auto encoded = tokenizer.encode(prompt);
  ids.insert(ids.end(), encoded.begin(), encoded.end());
  return ids;
}

std::vector<int> textAnswer(const Tokenizer& tokenizer, const std::string& answer) {
  auto ids = tokenizer.encode(answer);
  // The model learns to stop: eos ends every answer (TRL appends eos_token to text answers).
  if (tokenizer.eosId() >= 0) ids.push_back(tokenizer.eosId());
  return ids;
}

/// What rendering `prompt` + the assistant's `answer` adds after the prompt's ids.
std::vector<int> chatAnswer(const Tokenizer& tokenizer, const ChatTemplate& chat, std::vector<ChatMessage> prompt,
                            const std::vector<int>& prompt_ids, const std::string& answer, bool& boundary_changed) {
  prompt.push_back({"assistant", answer});
  auto full = encodeChat(tokenizer, renderChat(chat, prompt, false)).ids;
  if (full.size() < prompt_ids.size() || !std::equal(prompt_ids.begin(), prompt_ids.end(), full.begin())) {
    boundary_changed = true;
  }
  if (full.size() <= prompt_ids.size()) return {};
  return {full.begin() + static_cast<std::ptrdiff_t>(prompt_ids.size()), full.end()};
}

}  // namespace

Json PreferenceExamples::summary() const {
  return Json{{"pairs", pairs},
              {"examples", static_cast<int64_t>(examples.size())},
              {"truncated", truncated},
              {"dropped_long_prompt", dropped_long_prompt},
              {"dropped_identical", dropped_identical},
              {"boundary_changed", boundary_changed},
              {"answer_tokens", answer_tokens}};
}

PreferenceExamples buildPreferenceExamples(const std::vector<NewPreferencePair>& pairs, const std::string& name,
                                           const Tokenizer& tokenizer, const PreferenceExampleOptions& options) {
  if (options.max_tokens < 2) throwConfigError("preference examples need max_tokens >= 2");
  PreferenceExamples out;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& pair = pairs[i];
    ++out.pairs;
    PreferenceExample example;
    example.source = name + " pair " + std::to_string(i + 1);
    if (isConversation(pair)) {
      if (!options.chat) {
        throwConfigError(example.source +
                         ": the prompt is a conversation and the model has no chat template Temper can render; "
                         "give `chat-template` (chatml, llama2, llama3, zephyr or plain)");
      }
      Json conversation = Json::parse(pair.messages_json, nullptr, false);
      if (conversation.is_discarded()) throwInputError(example.source + ": the prompt's messages are not JSON");
      auto messages = parseChatMessages(conversation, example.source);
      example.prompt = encodeChat(tokenizer, renderChat(*options.chat, messages, true)).ids;
      bool changed = false;
      example.chosen = chatAnswer(tokenizer, *options.chat, messages, example.prompt, pair.completion_a, changed);
      example.rejected = chatAnswer(tokenizer, *options.chat, messages, example.prompt, pair.completion_b, changed);
      if (changed) ++out.boundary_changed;
    } else {
      example.prompt = textPrompt(tokenizer, pair.prompt);
      example.chosen = textAnswer(tokenizer, pair.completion_a);
      example.rejected = textAnswer(tokenizer, pair.completion_b);
    }
    const auto prompt_tokens = static_cast<int64_t>(example.prompt.size());
    if (prompt_tokens >= options.max_tokens) {
      ++out.dropped_long_prompt;
      continue;
    }
    const auto room = static_cast<size_t>(options.max_tokens - prompt_tokens);
    bool cut = false;
    for (auto* answer : {&example.chosen, &example.rejected}) {
      if (answer->size() > room) {
        answer->resize(room);
        cut = true;
      }
    }
    if (example.chosen == example.rejected && !options.keep_identical) {
      ++out.dropped_identical;
      continue;
    }
    if (cut) ++out.truncated;
    out.answer_tokens += static_cast<int64_t>(example.chosen.size() + example.rejected.size());
    out.examples.push_back(std::move(example));
  }
  return out;
}

}  // namespace temper
