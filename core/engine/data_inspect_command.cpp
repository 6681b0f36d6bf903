#include "core/engine/data_inspect_command.h"

#include <map>
#include <memory>

#include "core/data/data_format.h"
#include "core/data/dataset_meta.h"
#include "core/data/records.h"
#include "core/tokenizer/corpus_documents.h"
#include "core/tokenizer/corpus_files.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

constexpr size_t kPreviewChars = 500;

// Cuts at a UTF-8 character boundary so the preview stays valid text.
std::string cut(const std::string& text) {
  if (text.size() <= kPreviewChars) return text;
  size_t end = kPreviewChars;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "…";
}

Json cutStrings(const Json& value) {
  if (value.is_string()) return cut(value.get<std::string>());
  if (value.is_array() || value.is_object()) {
    Json out = value;
    for (auto& item : out) item = cutStrings(item);
    return out;
  }
  return value;
}

bool isRecordFile(const std::filesystem::path& path) {
  const auto ext = path.extension();
  return std::filesystem::is_regular_file(path) && (ext == ".jsonl" || ext == ".json" || ext == ".csv");
}

// The text a format feeds the model, for token counts.
std::string recordText(const Record& record, DataFormat format) {
  std::string text;
  for (const auto& field : dataFormatFields(format)) {
    auto it = record.fields.find(field);
    if (it == record.fields.end()) continue;
    if (it->is_string()) {
      text += it->get<std::string>();
    } else if (field == "messages" && it->is_array()) {
      for (const auto& m : *it) {
        if (m.is_object() && m.contains("content") && m["content"].is_string()) text += m["content"].get<std::string>();
      }
    }
  }
  return text;
}

}  // namespace

Json inspectData(const DataInspectRequest& request) {
  // A folder made by `temper data prepare` is already tokens: its meta.json says everything.
  if (request.inputs.size() == 1 && std::filesystem::exists(request.inputs[0] / "meta.json")) {
    const DatasetMeta meta = readDatasetMeta(request.inputs[0]);
    return Json{{"files", 2},
                {"skipped_files", 0},
                {"format", "prepared"},
                {"fields", Json::array()},
                {"records", meta.train_documents + meta.val_documents},
                {"documents", meta.train_documents + meta.val_documents},
                {"bytes", meta.bytes},
                {"tokens", meta.train_tokens + meta.val_tokens},
                {"train_tokens", meta.train_tokens},
                {"val_tokens", meta.val_tokens},
                {"vocab_size", meta.vocab_size},
                {"tokenizer", meta.tokenizer_path},
                {"preview", Json::array()}};
  }
  std::unique_ptr<Tokenizer> tokenizer;
  if (!request.tokenizer.empty()) tokenizer = openTokenizer(request.tokenizer);
  bool records_only = !request.inputs.empty();
  for (const auto& input : request.inputs) records_only = records_only && isRecordFile(input);
  Json out;
  int64_t tokens = 0;
  if (records_only) {
    std::vector<Record> records = readRecords(request.inputs);
    const DataFormat format = detectDataFormat(records);
    uint64_t bytes = 0;
    for (const auto& input : request.inputs) bytes += std::filesystem::file_size(input);
    Json preview = Json::array();
    std::map<std::string, int64_t> labels;
    for (size_t i = 0; i < records.size(); ++i) {
      if (static_cast<int64_t>(i) < request.preview) preview.push_back(cutStrings(records[i].fields));
      if (format == DataFormat::TextLabel) ++labels[stringField(records[i], "label")];
      if (tokenizer) tokens += static_cast<int64_t>(tokenizer->encode(recordText(records[i], format)).size());
    }
    out = {{"files", request.inputs.size()},
           {"skipped_files", 0},
           {"format", dataFormatName(format)},
           {"fields", dataFormatFields(format)},
           {"records", records.size()},
           {"documents", records.size()},
           {"bytes", bytes},
           {"preview", preview}};
    if (format == DataFormat::TextLabel) out["labels"] = labels;
  } else {
    CorpusFiles corpus = collectCorpusFiles(request.inputs, request.extensions);
    Json preview = Json::array();
    int64_t documents = 0;
    for (const auto& file : corpus.files) {
      forEachDocument(file, [&](std::string_view document) {
        if (documents < request.preview) preview.push_back({{"text", cut(std::string(document))}});
        ++documents;
        if (tokenizer) tokens += static_cast<int64_t>(tokenizer->encode(document).size());
      });
    }
    out = {{"files", corpus.files.size()},
           {"skipped_files",
            corpus.skipped_binary + corpus.skipped_not_utf8 + corpus.skipped_extension + corpus.skipped_empty},
           {"format", "text"},
           {"fields", Json::array({"text"})},
           {"records", documents},
           {"documents", documents},
           {"bytes", corpus.bytes},
           {"preview", preview}};
  }
  if (tokenizer) out["tokens"] = tokens;
  return out;
}

}  // namespace temper
