#include "core/data/data_format.h"

#include <algorithm>

#include "core/common/error.h"

namespace temper {
namespace {

std::string keysOf(const Json& fields) {
  std::string keys;
  for (const auto& [key, value] : fields.items()) keys += (keys.empty() ? "" : ", ") + key;
  return keys.empty() ? "no keys" : "keys " + keys;
}

bool formatOf(const Json& f, DataFormat& format) {
  auto has = [&](const char* key) { return f.contains(key); };
  if (has("messages")) {
    format = DataFormat::Messages;
  } else if (has("chosen") && has("rejected")) {
    format = DataFormat::Preference;
  } else if (has("prompt") && has("completion")) {
    format = DataFormat::PromptCompletion;
  } else if (has("instruction") && has("output")) {
    format = DataFormat::Alpaca;
  } else if (has("text") && has("label")) {
    format = DataFormat::TextLabel;
  } else if (has("text")) {
    format = DataFormat::Text;
  } else if (has("prompt")) {
    format = DataFormat::PromptOnly;
  } else {
    return false;
  }
  return true;
}

}  // namespace

const char* dataFormatName(DataFormat format) {
  switch (format) {
    case DataFormat::Text:
      return "text";
    case DataFormat::PromptCompletion:
      return "prompt-completion";
    case DataFormat::Alpaca:
      return "alpaca";
    case DataFormat::Messages:
      return "messages";
    case DataFormat::TextLabel:
      return "text-label";
    case DataFormat::Preference:
      return "preference";
    case DataFormat::PromptOnly:
      return "prompt-only";
  }
  return "?";
}

std::vector<std::string> dataFormatFields(DataFormat format) {
  switch (format) {
    case DataFormat::Text:
      return {"text"};
    case DataFormat::PromptCompletion:
      return {"prompt", "completion"};
    case DataFormat::Alpaca:
      return {"instruction", "input", "output"};
    case DataFormat::Messages:
      return {"messages"};
    case DataFormat::TextLabel:
      return {"text", "label"};
    case DataFormat::Preference:
      return {"prompt", "chosen", "rejected"};
    case DataFormat::PromptOnly:
      return {"prompt"};
  }
  return {};
}

DataFormat detectDataFormat(const std::vector<Record>& records) {
  if (records.empty()) throwInputError("no records to detect a format from");
  DataFormat first{};
  const size_t n = std::min<size_t>(records.size(), 5);
  for (size_t i = 0; i < n; ++i) {
    DataFormat format{};
    const bool known = formatOf(records[i].fields, format);
    // A record that fits no format, or only prompt-only (its prompt without the rest), is most
    // likely a record of the first one's format with a field missing: say which.
    if (i > 0 && (!known || (format == DataFormat::PromptOnly && first != DataFormat::PromptOnly))) {
      std::string missing;
      for (const auto& field : dataFormatFields(first)) {
        const bool optional = field == "input" || (first == DataFormat::Preference && field == "prompt");
        if (!optional && !records[i].fields.contains(field)) missing += (missing.empty() ? "`" : ", `") + field + "`";
      }
      throwInputError(records[i].source + ": field " + missing + " is missing (" + records[0].source + " is " +
                      dataFormatName(first) + ")");
    }
    if (!known) {
      throwInputError(records[i].source + ": a record with " + keysOf(records[i].fields) +
                      " fits no known format; expected {text}, {prompt, completion}, {instruction, input, output}, "
                      "{messages}, {text, label}, {prompt, chosen, rejected} or {prompt}");
    }
    if (i == 0) {
      first = format;
    } else if (format != first) {
      throwInputError(records[i].source + ": this record is " + dataFormatName(format) + " but " + records[0].source +
                      " is " + dataFormatName(first) + "; one file holds one format");
    }
  }
  return first;
}

std::string stringField(const Record& record, const std::string& key, bool optional) {
  auto it = record.fields.find(key);
  if (it == record.fields.end() || it->is_null()) {
    if (optional) return "";
    throwInputError(record.source + ": field `" + key + "` is missing");
  }
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer() || it->is_boolean()) return it->dump();  // labels may be 0/1 or true/false
  throwInputError(record.source + ": field `" + key + "` must be a string, not " + it->type_name());
}

}  // namespace temper
