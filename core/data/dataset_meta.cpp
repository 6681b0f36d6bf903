#include "core/data/dataset_meta.h"

#include <cstdint>

#include "core/common/error.h"
#include "core/common/json_io.h"

namespace temper {
namespace {

// Reads meta.json fields with messages that name the file and the field.
class MetaReader {
 public:
  MetaReader(const Json& json, std::filesystem::path file) : json_(json), file_(std::move(file)) {}

  const Json& field(const char* name) const {
    auto it = json_.find(name);
    if (it == json_.end()) fail(name, "is missing");
    return *it;
  }
  std::string text(const char* name) const {
    const Json& value = field(name);
    if (!value.is_string()) fail(name, "must be a string");
    return value.get<std::string>();
  }
  int64_t integer(const char* name, int64_t min, int64_t max) const {
    const Json& value = field(name);
    if (!value.is_number_integer()) fail(name, "must be an integer");
    int64_t number = value.get<int64_t>();
    if (number < min || number > max) {
      fail(name, "is " + std::to_string(number) + ", expected " + std::to_string(min) + " to " + std::to_string(max));
    }
    return number;
  }
  [[noreturn]] void fail(const char* name, const std::string& problem) const {
    throwInputError(file_.string() + ": field `" + name + "` " + problem);
  }

 private:
  const Json& json_;
  std::filesystem::path file_;
};

}  // namespace

std::string dtypeForVocab(int vocab_size) { return vocab_size <= 65535 ? "uint16" : "uint32"; }

int bytesPerToken(const std::string& dtype) {
  if (dtype == "uint16") return 2;
  if (dtype == "uint32") return 4;
  throwInputError("token dtype `" + dtype + "` is not supported; expected uint16 or uint32");
}

DatasetMeta readDatasetMeta(const std::filesystem::path& dir) {
  const auto file = dir / "meta.json";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    throwIoError(file.string() + ": no such file; " + dir.string() +
                 " is not a prepared dataset (or preparing it did not finish)");
  }
  Json json = readJsonFile(file);
  if (!json.is_object()) throwInputError(file.string() + ": expected a JSON object");
  MetaReader reader(json, file);
  constexpr int64_t kMax = INT64_MAX;

  DatasetMeta meta;
  meta.format_version = static_cast<int>(reader.integer("format_version", 1, INT32_MAX));
  if (meta.format_version > kDatasetFormatVersion) {
    reader.fail("format_version", "is " + std::to_string(meta.format_version) + ", newer than this Temper reads (" +
                                      std::to_string(kDatasetFormatVersion) + "); prepare the dataset again");
  }
  meta.tokenizer_path = reader.text("tokenizer_path");
  meta.tokenizer_sha256 = reader.text("tokenizer_sha256");
  if (meta.tokenizer_sha256.size() != 64) reader.fail("tokenizer_sha256", "must be 64 hex digits");
  meta.vocab_size = static_cast<int>(reader.integer("vocab_size", 1, INT32_MAX));
  meta.eos_id = static_cast<int>(reader.integer("eos_id", 0, meta.vocab_size - 1));
  meta.dtype = reader.text("dtype");
  if (meta.dtype != "uint16" && meta.dtype != "uint32")
    reader.fail("dtype", "is `" + meta.dtype + "`, expected uint16 or uint32");
  if (meta.dtype == "uint16" && meta.vocab_size > 65536) {
    reader.fail("dtype", "is uint16 but vocab_size " + std::to_string(meta.vocab_size) + " needs uint32");
  }
  meta.train_documents = reader.integer("train_documents", 0, kMax);
  meta.val_documents = reader.integer("val_documents", 0, kMax);
  meta.train_tokens = reader.integer("train_tokens", 0, kMax);
  meta.val_tokens = reader.integer("val_tokens", 0, kMax);
  meta.bytes = reader.integer("bytes", 0, kMax);
  return meta;
}

void writeDatasetMeta(const std::filesystem::path& dir, const DatasetMeta& meta) {
  Json json = {
      {"format_version", meta.format_version},
      {"tokenizer_path", meta.tokenizer_path},
      {"tokenizer_sha256", meta.tokenizer_sha256},
      {"vocab_size", meta.vocab_size},
      {"eos_id", meta.eos_id},
      {"dtype", meta.dtype},
      {"train_documents", meta.train_documents},
      {"val_documents", meta.val_documents},
      {"train_tokens", meta.train_tokens},
      {"val_tokens", meta.val_tokens},
      {"bytes", meta.bytes},
  };
  writeJsonFileAtomic(dir / "meta.json", json);
}

}  // namespace temper
