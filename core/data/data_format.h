#pragma once
/// Which of the dataset shapes TRL and LLaMA-Factory users know a file is in, decided from its
/// first records (every record is then checked against it as it is read):
///   text               {"text"}
///   prompt-completion  {"prompt", "completion"}
///   alpaca             {"instruction", "input" (optional), "output"}
///   messages           {"messages": [{"role", "content"}, ...]}
///   text-label         {"text", "label"}
///   preference         {"prompt" (optional), "chosen", "rejected"}
///   prompt-only        {"prompt"} and nothing a format above names: prompts for grpo and rloo
///                      (TRL's prompt-only records; other fields are kept for reward rules)
#include <string>
#include <vector>

#include "core/data/records.h"

namespace temper {

enum class DataFormat { Text, PromptCompletion, Alpaca, Messages, TextLabel, Preference, PromptOnly };

/// The format's name as reported ("prompt-completion", ...).
const char* dataFormatName(DataFormat format);
/// The fields a format uses, in the order shown to people.
std::vector<std::string> dataFormatFields(DataFormat format);

/// Decides from the first (up to 5) records; all of them must agree. Throws Error(InvalidInput)
/// naming the record and the keys it has when they fit no format or two records disagree.
DataFormat detectDataFormat(const std::vector<Record>& records);

/// The string value of `key` in `record`, naming the record and key when it is absent or not a
/// string (`optional`: absent gives "").
std::string stringField(const Record& record, const std::string& key, bool optional = false);

}  // namespace temper
