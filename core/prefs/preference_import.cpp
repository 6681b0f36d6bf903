#include "core/prefs/preference_import.h"

#include <algorithm>
#include <map>

#include "core/common/error.h"
#include "core/prefs/implicit_prompt.h"

namespace temper {
namespace {

enum class Shape { Explicit, Implicit, Unpaired };

Shape shapeOf(const Record& record) {
  const Json& f = record.fields;
  if (f.contains("chosen") && f.contains("rejected")) return f.contains("prompt") ? Shape::Explicit : Shape::Implicit;
  if (f.contains("prompt") && f.contains("completion") && f.contains("label")) return Shape::Unpaired;
  std::string keys;
  for (const auto& [key, value] : f.items()) keys += (keys.empty() ? "" : ", ") + key;
  throwInputError(record.source + ": not a preference record (keys: " + keys +
                  "); expected {\"prompt\", \"chosen\", \"rejected\"}, {\"chosen\", \"rejected\"} or "
                  "{\"prompt\", \"completion\", \"label\"}");
}

const char* shapeName(Shape shape) {
  switch (shape) {
    case Shape::Explicit:
      return "explicit";
    case Shape::Implicit:
      return "implicit";
    case Shape::Unpaired:
      return "unpaired";
  }
  return "?";
}

std::string where(const Record& record, const char* field) { return record.source + ": `" + field + "`"; }

std::string textField(const Record& record, const char* field) {
  const Json& value = record.fields.at(field);
  if (!value.is_string()) throwInputError(where(record, field) + " must be text (the record's other values are)");
  return value.get<std::string>();
}

std::vector<ChatMessage> messageList(const Record& record, const char* field) {
  const Json& value = record.fields.at(field);
  if (!value.is_array()) {
    throwInputError(where(record, field) +
                    " must be a list of {\"role\", \"content\"} (the record's other values are)");
  }
  return parseChatMessages(value, where(record, field));
}

// A conversational completion: a list of exactly one assistant message (TRL's shape).
std::string assistantAnswer(const Record& record, const char* field) {
  const auto messages = messageList(record, field);
  if (messages.size() != 1 || messages[0].role != "assistant") {
    throwInputError(where(record, field) + " must hold exactly one message, the assistant's answer; it has " +
                    std::to_string(messages.size()) +
                    (messages.empty() ? std::string() : " (the first with role `" + messages[0].role + "`)"));
  }
  return messages[0].content;
}

bool verdictOf(const Record& record) {
  const Json& value = record.fields.at("label");
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) {  // CSV cells are text
    const std::string text = value.get<std::string>();
    if (text == "true" || text == "True" || text == "1") return true;
    if (text == "false" || text == "False" || text == "0") return false;
  }
  if (value.is_number_integer() && (value.get<int64_t>() == 0 || value.get<int64_t>() == 1)) {
    return value.get<int64_t>() == 1;
  }
  throwInputError(where(record, "label") + " is " + value.dump() + "; expected true (desirable) or false");
}

Json sourceJson(const Record& record, const char* as) { return Json{{"imported", record.source}, {"as", as}}; }

std::string originOf(const Record& record) {
  const size_t colon = record.source.rfind(':');
  return "imported " + (colon == std::string::npos ? record.source : record.source.substr(0, colon));
}

bool hasNoPrompt(const NewPreferencePair& pair) {
  return pair.prompt.empty() && (pair.messages_json.empty() || pair.messages_json == "[]");
}

struct UnpairedSide {
  std::string completion;
  const Record* record;
};

struct UnpairedPrompt {
  std::string prompt, messages_json;
  std::vector<UnpairedSide> desirable, undesirable;
};

}  // namespace

std::string messagesJson(const std::vector<ChatMessage>& messages) {
  Json list = Json::array();
  for (const auto& m : messages) list.push_back({{"role", m.role}, {"content", m.content}});
  return list.dump();
}

Json ParsedPreferences::summary() const {
  return Json{{"format", format},
              {"conversational", conversational},
              {"records", records},
              {"pairs", pairs.size()},
              {"identical", identical},
              {"unmatched_desirable", unmatched_desirable},
              {"unmatched_undesirable", unmatched_undesirable}};
}

ParsedPreferences parsePreferenceRecords(const std::vector<Record>& records, const PreferenceImportOptions& options) {
  ParsedPreferences out;
  if (records.empty()) return out;
  const Shape shape = shapeOf(records.front());
  out.format = shapeName(shape);
  const char* probe = shape == Shape::Unpaired ? "completion" : "chosen";
  out.conversational = records.front().fields.at(probe).is_array();
  std::vector<std::string> markers = knownAssistantMarkers();
  markers.insert(markers.end(), options.extra_prompt_ends.begin(), options.extra_prompt_ends.end());

  // Unpaired records are grouped by prompt, in the order prompts first appear.
  std::vector<UnpairedPrompt> unpaired;
  std::map<std::pair<std::string, std::string>, size_t> unpaired_index;

  for (const Record& record : records) {
    ++out.records;
    const Shape here = shapeOf(record);
    if (here != shape) {
      throwInputError(record.source + ": a " + shapeName(here) + " preference record in a file whose first record (" +
                      records.front().source + ") is " + shapeName(shape));
    }
    NewPreferencePair pair;
    pair.origin = originOf(record);
    pair.source_a_json = sourceJson(record, shape == Shape::Unpaired ? "desirable" : "chosen").dump();
    pair.source_b_json = sourceJson(record, shape == Shape::Unpaired ? "undesirable" : "rejected").dump();
    if (shape == Shape::Explicit) {
      if (out.conversational) {
        pair.messages_json = messagesJson(messageList(record, "prompt"));
        pair.completion_a = assistantAnswer(record, "chosen");
        pair.completion_b = assistantAnswer(record, "rejected");
      } else {
        pair.prompt = textField(record, "prompt");
        pair.completion_a = textField(record, "chosen");
        pair.completion_b = textField(record, "rejected");
      }
    } else if (shape == Shape::Implicit) {
      if (out.conversational) {
        const auto chosen = messageList(record, "chosen");
        const auto rejected = messageList(record, "rejected");
        if (messagesJson(chosen) == messagesJson(rejected)) {
          ++out.identical;
          continue;
        }
        std::string why_not;
        auto split = splitImplicitChat(chosen, rejected, why_not);
        if (!split) throwInputError(record.source + ": " + why_not);
        pair.messages_json = messagesJson(split->prompt);
        pair.completion_a = split->chosen.content;
        pair.completion_b = split->rejected.content;
      } else {
        const std::string chosen = textField(record, "chosen");
        const std::string rejected = textField(record, "rejected");
        if (chosen == rejected) {
          ++out.identical;
          continue;
        }
        auto split = splitImplicitPrompt(chosen, rejected, markers);
        if (!split) {
          throwInputError(record.source +
                          ": `chosen` and `rejected` share no beginning, so there is no prompt to split off; give "
                          "`prompt` (the explicit format)");
        }
        pair.prompt = std::move(split->prompt);
        pair.completion_a = std::move(split->chosen);
        pair.completion_b = std::move(split->rejected);
      }
    } else {
      UnpairedSide side;
      side.record = &record;
      std::string prompt, messages;
      if (out.conversational) {
        messages = messagesJson(messageList(record, "prompt"));
        side.completion = assistantAnswer(record, "completion");
      } else {
        prompt = textField(record, "prompt");
        side.completion = textField(record, "completion");
      }
      const bool desirable = verdictOf(record);
      auto [it, fresh] = unpaired_index.try_emplace({prompt, messages}, unpaired.size());
      if (fresh) unpaired.push_back({prompt, messages, {}, {}});
      (desirable ? unpaired[it->second].desirable : unpaired[it->second].undesirable).push_back(std::move(side));
      continue;
    }
    if (pair.completion_a == pair.completion_b) {
      ++out.identical;
      continue;
    }
    if (pair.completion_a.empty() || pair.completion_b.empty() || hasNoPrompt(pair)) {
      throwInputError(record.source + ": " + (hasNoPrompt(pair) ? "the prompt" : "an answer") +
                      " is empty; a pair needs a prompt and two answers");
    }
    out.pairs.push_back(std::move(pair));
  }

  // Unpaired: the i-th desirable completion of a prompt against its i-th undesirable one.
  for (const UnpairedPrompt& group : unpaired) {
    const size_t matched = std::min(group.desirable.size(), group.undesirable.size());
    out.unmatched_desirable += static_cast<int64_t>(group.desirable.size() - matched);
    out.unmatched_undesirable += static_cast<int64_t>(group.undesirable.size() - matched);
    for (size_t i = 0; i < matched; ++i) {
      const UnpairedSide& good = group.desirable[i];
      const UnpairedSide& bad = group.undesirable[i];
      if (good.completion == bad.completion) {
        ++out.identical;
        continue;
      }
      if (good.completion.empty() || bad.completion.empty()) {
        throwInputError((good.completion.empty() ? good : bad).record->source + ": `completion` is empty");
      }
      NewPreferencePair pair;
      pair.prompt = group.prompt;
      pair.messages_json = group.messages_json;
      pair.completion_a = good.completion;
      pair.completion_b = bad.completion;
      pair.origin = originOf(*good.record);
      pair.source_a_json = sourceJson(*good.record, "desirable").dump();
      pair.source_b_json = sourceJson(*bad.record, "undesirable").dump();
      if (hasNoPrompt(pair)) {
        throwInputError(good.record->source + ": `prompt` is empty");
      }
      out.pairs.push_back(std::move(pair));
    }
  }
  return out;
}

}  // namespace temper
