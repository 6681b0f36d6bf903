#pragma once
/// `temper tokenizer train|encode|decode` and `temper data prepare`: thin wrappers that print a
/// summary for people (or a `result` event) over core/tokenizer and core/data.
#include <filesystem>
#include <string>
#include <vector>

#include "core/data/prepare_dataset.h"
#include "core/tokenizer/tokenizer_trainer.h"

namespace temper {

class Console;

void trainTokenizerCommand(const TokenizerTrainOptions& options, Console& console);
/// Prints the ids of `text` (or of the file's contents): space-separated, or {"ids": [...]}.
void encodeCommand(const std::filesystem::path& tokenizer, const std::string& text, bool json);
/// `ids_text`: ids separated by spaces or commas, or a JSON array / {"ids": [...]}.
void decodeCommand(const std::filesystem::path& tokenizer, const std::string& ids_text);
void prepareDataCommand(const PrepareOptions& options, Console& console);

}  // namespace temper
