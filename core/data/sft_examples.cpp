#include "core/data/sft_examples.h"

#include "core/common/error.h"

namespace temper {
namespace {

void append(TokenizedExample& example, const std::vector<int>& ids, char mask) {
  example.ids.insert(example.ids.end(), ids.begin(), ids.end());
  example.loss_mask.insert(example.loss_mask.end(), ids.size(), mask);
}

TokenizedExample promptCompletion(const Tokenizer& tokenizer, const std::string& prompt,
                                  const std::string& completion) {
  TokenizedExample example;
  append(example, tokenizer.prefixIds(), 0);
  append(example, tokenizer.encode(prompt), 0);
  append(example, tokenizer.encode(completion), 1);
  // The model learns to stop: eos is a target after the completion.
  if (tokenizer.eosId() >= 0) append(example, {tokenizer.eosId()}, 1);
  return example;
}

[[noreturn]] void wrongMethod(DataFormat format, const std::string& source) {
  const std::string method = format == DataFormat::TextLabel    ? "classify"
                             : format == DataFormat::PromptOnly ? "grpo or rloo"
                                                                : "reward-model or dpo";
  throwConfigError(
      source + ": " + dataFormatName(format) + " records are for the `" + method +
      "` method, not sft; sft takes prompt-completion, alpaca, messages, or text with a response template");
}

}  // namespace

Json SftExamples::summary() const {
  return Json{{"format", dataFormatName(format)},
              {"records", records},
              {"examples", static_cast<int64_t>(examples.size())},
              {"truncated", truncated},
              {"dropped_long", dropped_long},
              {"dropped_no_target", dropped_no_target},
              {"target_tokens", target_tokens}};
}

std::string alpacaPrompt(const std::string& instruction, const std::string& input) {
  if (input.empty()) {
    return "Below is an instruction that describes a task. Write a response that appropriately completes the "
           "request.\n\n### Instruction:\n" +
           instruction + "\n\n### Response:\n";
  }
  return "Below is an instruction that describes a task, paired with an input that provides further context. "
         "Write a response that appropriately completes the request.\n\n### Instruction:\n" +
         instruction + "\n\n### Input:\n" + input + "\n\n### Response:\n";
}

SftExamples buildSftExamples(const std::vector<Record>& records, const Tokenizer& tokenizer,
                             const SftOptions& options) {
  SftExamples out;
  out.format = detectDataFormat(records);
  if (out.format == DataFormat::TextLabel || out.format == DataFormat::Preference ||
      out.format == DataFormat::PromptOnly) {
    wrongMethod(out.format, records.front().source);
  }
  if (out.format == DataFormat::Text && options.response_template.empty()) {
    throwConfigError(records.front().source +
                     ": these records have only `text`, so nothing says where the response "
                     "starts; give `response-template` (e.g. \"\\nA:\"), or train them with continued-pretrain");
  }
  if (out.format == DataFormat::Messages && !options.chat) {
    throwConfigError(records.front().source +
                     ": `messages` records need a chat template; the model has none Temper "
                     "can render, so give `chat-template` (chatml, llama2, llama3, zephyr or plain)");
  }
  for (const auto& record : records) {
    ++out.records;
    TokenizedExample example;
    switch (out.format) {
      case DataFormat::PromptCompletion:
        example = promptCompletion(tokenizer, stringField(record, "prompt"), stringField(record, "completion"));
        break;
      case DataFormat::Alpaca:
        example = promptCompletion(tokenizer,
                                   alpacaPrompt(stringField(record, "instruction"), stringField(record, "input", true)),
                                   stringField(record, "output"));
        break;
      case DataFormat::Text: {
        const std::string text = stringField(record, "text");
        const size_t at = text.find(options.response_template);
        if (at == std::string::npos) {
          ++out.dropped_no_target;
          continue;
        }
        const size_t split = at + options.response_template.size();
        example = promptCompletion(tokenizer, text.substr(0, split), text.substr(split));
        break;
      }
      case DataFormat::Messages: {
        auto it = record.fields.find("messages");
        if (it == record.fields.end()) throwInputError(record.source + ": field `messages` is missing");
        auto messages = parseChatMessages(*it, record.source);
        ChatEncoding encoded = encodeChat(tokenizer, renderChat(*options.chat, messages, false));
        example.ids = std::move(encoded.ids);
        example.loss_mask = std::move(encoded.assistant_mask);
        break;
      }
      case DataFormat::TextLabel:
      case DataFormat::Preference:
      case DataFormat::PromptOnly:
        wrongMethod(out.format, record.source);
    }
    example.source = record.source;
    bool was_truncated = false;
    if (static_cast<int64_t>(example.ids.size()) > options.max_tokens) {
      if (options.drop_long) {
        ++out.dropped_long;
        continue;
      }
      example.ids.resize(static_cast<size_t>(options.max_tokens));
      example.loss_mask.resize(static_cast<size_t>(options.max_tokens));
      was_truncated = true;
    }
    // The first token is never predicted (it has no left context).
    int64_t targets = 0;
    for (size_t i = 1; i < example.loss_mask.size(); ++i) targets += example.loss_mask[i];
    if (targets == 0) {
      ++out.dropped_no_target;
      continue;
    }
    out.target_tokens += targets;
    if (was_truncated) ++out.truncated;
    out.examples.push_back(std::move(example));
  }
  return out;
}

std::vector<TokenizedExample> packExamples(const std::vector<TokenizedExample>& examples, int64_t window) {
  TokenizedExample stream;
  for (const auto& e : examples) {
    stream.ids.insert(stream.ids.end(), e.ids.begin(), e.ids.end());
    stream.loss_mask.insert(stream.loss_mask.end(), e.loss_mask.begin(), e.loss_mask.end());
  }
  std::vector<TokenizedExample> packed;
  const size_t step = static_cast<size_t>(window - 1);
  for (size_t start = 0; start + 1 < stream.ids.size(); start += step) {
    const size_t end = std::min(stream.ids.size(), start + static_cast<size_t>(window));
    TokenizedExample piece;
    piece.ids.assign(stream.ids.begin() + static_cast<long>(start), stream.ids.begin() + static_cast<long>(end));
    piece.loss_mask.assign(stream.loss_mask.begin() + static_cast<long>(start),
                           stream.loss_mask.begin() + static_cast<long>(end));
    piece.loss_mask[0] = 0;  // predicted by the previous piece already
    piece.source = "packed #" + std::to_string(packed.size());
    bool any = false;
    for (size_t i = 1; i < piece.loss_mask.size(); ++i) any = any || piece.loss_mask[i];
    if (any) packed.push_back(std::move(piece));
  }
  return packed;
}

}  // namespace temper
