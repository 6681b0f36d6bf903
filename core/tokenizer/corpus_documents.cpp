#include "core/tokenizer/corpus_documents.h"

#include <string>

#include "core/common/error.h"
#include "core/common/json_io.h"
#include "core/common/text_utils.h"

namespace temper {
namespace {

int64_t forEachJsonlText(const CorpusFile& file, const std::string& content,
                         const std::function<void(std::string_view)>& on_document) {
  int64_t delivered = 0;
  int64_t line_number = 0;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    std::string_view line(content.data() + start, end - start);
    start = end + 1;
    ++line_number;
    if (trim(line).empty()) continue;
    auto where = [&] { return file.path.string() + ":" + std::to_string(line_number) + ": "; };
    Json record = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded()) throwInputError(where() + "not valid JSON");
    if (!record.is_object()) throwInputError(where() + "expected a JSON object with a string field `text`");
    auto text = record.find("text");
    if (text == record.end()) throwInputError(where() + "field `text` is missing");
    if (!text->is_string()) throwInputError(where() + "field `text` is not a string");
    const auto& value = text->get_ref<const std::string&>();
    if (value.empty()) continue;
    on_document(value);
    ++delivered;
  }
  return delivered;
}

}  // namespace

int64_t forEachDocument(const CorpusFile& file, const std::function<void(std::string_view)>& on_document) {
  std::string content = readTextFile(file.path);
  if (file.jsonl) return forEachJsonlText(file, content, on_document);
  if (content.empty()) return 0;
  on_document(content);
  return 1;
}

}  // namespace temper
