#include "core/methods/rl/rl_prompts.h"

#include <optional>
#include <set>

#include "core/common/error.h"
#include "core/data/records.h"
#include "core/data/sft_examples.h"
#include "core/prefs/prefs_commands.h"
#include "core/tokenizer/chat_template.h"

namespace temper {
namespace {

constexpr std::string_view kSetPrefix = "set:";

/// A prompt as read, before tokenization.
struct ReadPrompt {
  std::string text;
  Json messages;  ///< null for a text prompt
  std::map<std::string, std::string> fields;
  std::string source;
};

struct ReadPrompts {
  std::vector<ReadPrompt> prompts;
  std::string name;  ///< the file's name or "set NAME"
};

std::string fieldText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();  // numbers as JSON writes them: 42, 3.5
}

/// The record's prompt keys are its own; everything else that is a plain value is a field.
std::map<std::string, std::string> otherFields(const Json& record, const std::set<std::string>& prompt_keys) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : record.items()) {
    if (prompt_keys.count(key) != 0 || value.is_object() || value.is_array() || value.is_null()) continue;
    out[key] = fieldText(value);
  }
  return out;
}

ReadPrompt promptOfRecord(const Record& record) {
  const Json& f = record.fields;
  ReadPrompt out;
  out.source = record.source;
  if (f.contains("prompt")) {
    const Json& prompt = f.at("prompt");
    if (prompt.is_string()) {
      out.text = prompt.get<std::string>();
    } else if (prompt.is_array()) {
      parseChatMessages(prompt, record.source + ": `prompt`");  // checked here, named by its record
      out.messages = prompt;
    } else {
      throwInputError(record.source + ": `prompt` is " + std::string(prompt.type_name()) +
                      "; give text or a list of {\"role\", \"content\"} messages");
    }
    // A preference record's answers, or a prompt-completion record's completion, stay fields.
    out.fields = otherFields(f, {"prompt", "chosen", "rejected"});
    return out;
  }
  if (f.contains("instruction")) {
    out.text = alpacaPrompt(stringField(record, "instruction"), stringField(record, "input", true));
    out.fields = otherFields(f, {"instruction", "input"});
    return out;
  }
  if (f.contains("messages")) {
    const auto messages = parseChatMessages(f.at("messages"), record.source + ": `messages`");
    Json prompt = f.at("messages");
    if (!messages.empty() && messages.back().role == "assistant") {
      out.fields["completion"] = messages.back().content;
      prompt.erase(prompt.size() - 1);
    }
    if (prompt.empty()) throwInputError(record.source + ": `messages` has no turn before the assistant's answer");
    out.messages = std::move(prompt);
    auto rest = otherFields(f, {"messages"});
    out.fields.insert(rest.begin(), rest.end());
    return out;
  }
  std::string keys;
  for (const auto& [key, value] : f.items()) keys += (keys.empty() ? "" : ", ") + key;
  throwInputError(record.source + ": no prompt: give `prompt` (text or messages), `instruction` (Alpaca) or " +
                  "`messages`; the record has " + (keys.empty() ? std::string("no keys") : keys));
}

ReadPrompts readFile(const std::string& data) {
  const std::filesystem::path path(data);
  ReadPrompts out;
  out.name = path.filename().string();
  for (const Record& record : readRecords(path)) out.prompts.push_back(promptOfRecord(record));
  return out;
}

/// Every distinct prompt of the set's pairs, in the order they were added (labels play no part:
/// the policy is scored by its rewards, not by the set's verdicts).
ReadPrompts readSet(const std::string& workspace, const std::string& set_name) {
  Store store = openPreferenceStore(workspace);
  const PreferenceSetRecord set = preferenceSetNamed(store, set_name);
  ReadPrompts out;
  out.name = "set " + set.name;
  std::set<std::pair<std::string, std::string>> seen;
  int64_t index = 0;
  for (const auto& pair : store.preferencePairs(set.id)) {
    ++index;
    if (!seen.insert({pair.prompt, pair.messages_json}).second) continue;
    ReadPrompt p;
    p.source = out.name + " pair " + std::to_string(index);
    const bool conversation = !pair.messages_json.empty() && pair.messages_json != "[]";
    if (conversation) {
      p.messages = Json::parse(pair.messages_json, nullptr, false);
      if (p.messages.is_discarded()) throwInputError(p.source + ": the prompt's messages are not JSON");
    } else {
      p.text = pair.prompt;
    }
    out.prompts.push_back(std::move(p));
  }
  if (out.prompts.empty()) throwInputError(out.name + " holds no pair, so no prompt");
  return out;
}

ReadPrompts readPrompts(const std::string& data, const std::string& workspace) {
  if (data.rfind(kSetPrefix, 0) == 0) {
    const std::string name = data.substr(kSetPrefix.size());
    if (name.empty()) throwConfigError("`set:` needs the set's name (temper prefs list shows them)");
    return readSet(workspace, name);
  }
  return readFile(data);
}

void requireFields(const ReadPrompts& read, const std::vector<std::string>& fields) {
  for (const auto& p : read.prompts) {
    for (const auto& field : fields) {
      if (p.fields.count(field) == 0) {
        throwInputError(p.source + ": no field `" + field + "`, which a reward rule compares the answer with");
      }
    }
  }
}

std::optional<ChatTemplate> chatTemplateFor(const RlPromptSetup& setup, const ReadPrompts& read) {
  bool conversational = false;
  for (const auto& p : read.prompts) conversational = conversational || !p.messages.is_null();
  if (!conversational) return std::nullopt;
  if (std::filesystem::is_directory(setup.tokenizer_source)) {
    return loadChatTemplate(setup.tokenizer_source, setup.chat_template);
  }
  if (setup.chat_template.empty()) {
    throwConfigError(read.name +
                     " has conversation prompts and the model has no chat template Temper can render; give "
                     "`chat-template` (chatml, llama2, llama3, zephyr or plain)");
  }
  return chatTemplateByName(setup.chat_template, "", "");
}

RlPrompts tokenize(std::vector<ReadPrompt> read, const std::optional<ChatTemplate>& chat, const RlPromptSetup& setup,
                   const Tokenizer& tokenizer) {
  RlPrompts out;
  for (auto& p : read) {
    ++out.records;
    RlPrompt prompt;
    if (p.messages.is_null()) {
      prompt.ids = tokenizer.prefixIds();
      const auto encoded = tokenizer.encode(p.text);
      prompt.ids.insert(prompt.ids.end(), encoded.begin(), encoded.end());
      prompt.text = std::move(p.text);
    } else {
      prompt.ids = encodeChat(tokenizer, renderChat(*chat, parseChatMessages(p.messages, p.source), true)).ids;
      prompt.messages_json = p.messages.dump();
    }
    if (prompt.ids.empty() || static_cast<int64_t>(prompt.ids.size()) > setup.max_prompt_tokens) {
      ++out.dropped_long;
      continue;
    }
    prompt.fields = std::move(p.fields);
    prompt.source = std::move(p.source);
    out.prompts.push_back(std::move(prompt));
  }
  return out;
}

void requirePrompts(const RlPrompts& prompts, const std::string& split, const std::string& name,
                    int64_t max_prompt_tokens) {
  if (!prompts.prompts.empty()) return;
  throwInputError(name + ": no " + split + " prompt is left: of " + std::to_string(prompts.records) + ", " +
                  std::to_string(prompts.dropped_long) + " are longer than " + std::to_string(max_prompt_tokens) +
                  " tokens (ctx less max-completion-length); raise ctx or lower max-completion-length");
}

}  // namespace

Json RlPrompts::summary() const {
  return Json{
      {"records", records}, {"examples", static_cast<int64_t>(prompts.size())}, {"dropped_long_prompt", dropped_long}};
}

RlPromptData loadRlPrompts(const RlPromptSetup& setup, const Tokenizer& tokenizer) {
  if (setup.max_prompt_tokens < 1) throwConfigError("no room for a prompt: ctx must exceed max-completion-length");
  ReadPrompts train = readPrompts(setup.data, setup.workspace);
  if (train.prompts.empty()) throwInputError(train.name + " holds no record");
  std::optional<ReadPrompts> val;
  if (!setup.val_data.empty()) {
    val = readPrompts(setup.val_data, setup.workspace);
  } else {
    const std::vector<char> held =
        heldOutMask(static_cast<int64_t>(train.prompts.size()), setup.val_fraction, setup.seed, train.name);
    ReadPrompts kept{{}, train.name};
    val = ReadPrompts{{}, train.name};
    for (size_t i = 0; i < train.prompts.size(); ++i) {
      (held[i] ? val->prompts : kept.prompts).push_back(std::move(train.prompts[i]));
    }
    train = std::move(kept);
  }
  requireFields(train, setup.required_fields);
  requireFields(*val, setup.required_fields);
  const auto train_chat = chatTemplateFor(setup, train);
  const auto val_chat = chatTemplateFor(setup, *val);
  RlPromptData out;
  out.train = tokenize(std::move(train.prompts), train_chat, setup, tokenizer);
  out.val = tokenize(std::move(val->prompts), val_chat, setup, tokenizer);
  requirePrompts(out.train, "training", train.name, setup.max_prompt_tokens);
  requirePrompts(out.val, "validation", val->name, setup.max_prompt_tokens);
  out.summary = Json{
      {"format", "prompts"}, {"source", train.name}, {"train", out.train.summary()}, {"validation", out.val.summary()}};
  return out;
}

}  // namespace temper
