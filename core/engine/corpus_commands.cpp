#include "core/engine/corpus_commands.h"

#include "core/common/error.h"
#include "core/common/text_utils.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {

TokenizerTrainResult trainTokenizerCommand(const TokenizerTrainOptions& options) {
  TokenizerTrainReport report = trainTokenizer(options);
  Json payload = {{"model", report.model_path.string()},
                  {"vocab_size", report.vocab_size},
                  {"files_used", report.files_used},
                  {"bytes", report.bytes},
                  {"files_skipped_binary", report.files_skipped_binary},
                  {"files_skipped_not_utf8", report.files_skipped_not_utf8},
                  {"files_skipped_extension", report.files_skipped_extension}};
  return TokenizerTrainResult{report, payload};
}

// --tokenizer accepts a SentencePiece .model, a tokenizer.json or a model folder (openTokenizer).
std::vector<int> encodeCommand(const std::filesystem::path& tokenizer_path, const std::string& text) {
  return openTokenizer(tokenizer_path)->encode(text);
}

std::string decodeCommand(const std::filesystem::path& tokenizer_path, const std::string& ids_text) {
  auto tokenizer = openTokenizer(tokenizer_path);
  std::vector<int> ids;
  std::string trimmed = trim(ids_text);
  if (!trimmed.empty() && (trimmed.front() == '[' || trimmed.front() == '{')) {
    Json parsed = Json::parse(trimmed, nullptr, false);
    if (parsed.is_object() && parsed.contains("ids")) parsed = parsed["ids"];
    if (!parsed.is_array()) throwConfigError("`--ids`: expected a JSON array of ids or {\"ids\": [...]}");
    for (const auto& v : parsed) {
      if (!v.is_number_integer()) throwConfigError("`--ids`: " + v.dump() + " is not an integer id");
      ids.push_back(v.get<int>());
    }
  } else {
    for (char& c : trimmed) {
      if (c == ',') c = ' ';
    }
    for (const auto& part : splitString(trimmed, ' ')) {
      if (part.empty()) continue;
      char* end = nullptr;
      long id = std::strtol(part.c_str(), &end, 10);
      if (*end != '\0') throwConfigError("`--ids`: \"" + part + "\" is not an integer id");
      ids.push_back(static_cast<int>(id));
    }
  }
  for (int id : ids) {
    if (id < 0 || id >= tokenizer->vocabSize()) {
      throwConfigError("`--ids`: id " + std::to_string(id) + " is outside the vocabulary (0 to " +
                       std::to_string(tokenizer->vocabSize() - 1) + ")");
    }
  }
  return tokenizer->decode(ids);
}

PrepareDataResult prepareDataCommand(const PrepareOptions& options) {
  DatasetMeta meta = prepareDataset(options);
  Json payload = {{"out", options.out_dir.string()},
                  {"train_documents", meta.train_documents},
                  {"val_documents", meta.val_documents},
                  {"train_tokens", meta.train_tokens},
                  {"val_tokens", meta.val_tokens},
                  {"bytes", meta.bytes},
                  {"dtype", meta.dtype},
                  {"vocab_size", meta.vocab_size}};
  return PrepareDataResult{meta, payload};
}

}  // namespace temper
