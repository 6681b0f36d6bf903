#pragma once
/// `temper tokenizer train|encode|decode` and `temper data prepare` over core/tokenizer and
/// core/data: each returns what it did; app/cli_corpus.cpp prints it (a summary for people, or a
/// `result` event).
#include <filesystem>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/data/prepare_dataset.h"
#include "core/tokenizer/tokenizer_trainer.h"

namespace temper {

/// Trains; the report and its `result` event payload.
struct TokenizerTrainResult {
  TokenizerTrainReport report;
  Json payload;
};
TokenizerTrainResult trainTokenizerCommand(const TokenizerTrainOptions& options);

/// The ids of `text` (no bos/eos added). `tokenizer`: a .model, a tokenizer.json or a model folder.
std::vector<int> encodeCommand(const std::filesystem::path& tokenizer, const std::string& text);
/// `ids_text`: ids separated by spaces or commas, or a JSON array / {"ids": [...]}. Error(InvalidConfig)
/// naming `--ids` for a non-integer or an id outside the vocabulary.
std::string decodeCommand(const std::filesystem::path& tokenizer, const std::string& ids_text);

struct PrepareDataResult {
  DatasetMeta meta;
  Json payload;  ///< the `result` event's payload
};
PrepareDataResult prepareDataCommand(const PrepareOptions& options);

}  // namespace temper
