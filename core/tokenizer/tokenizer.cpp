#include "core/tokenizer/tokenizer.h"

#include <fstream>

#include "core/common/error.h"
#include "core/tokenizer/spm_tokenizer.h"

namespace temper {

Tokenizer::~Tokenizer() = default;

std::vector<int> Tokenizer::stopIds() const {
  if (eosId() < 0) return {};
  return {eosId()};
}

std::vector<int> Tokenizer::encodeWithSpecialTokens(std::string_view text) const {
  std::vector<int> ids = prefixIds();
  std::vector<int> body = encode(text);
  ids.insert(ids.end(), body.begin(), body.end());
  std::vector<int> suffix = suffixIds();
  ids.insert(ids.end(), suffix.begin(), suffix.end());
  return ids;
}

std::filesystem::path resolveTokenizerModelPath(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    auto model = path / "tokenizer.model";
    if (!std::filesystem::is_regular_file(model, ec)) {
      throwIoError(path.string() +
                   ": folder has no tokenizer.model (expected a SentencePiece .model file or a "
                   "folder containing tokenizer.model)");
    }
    return model;
  }
  if (!std::filesystem::exists(path, ec)) throwIoError(path.string() + ": no such tokenizer file or folder");
  return path;
}

std::unique_ptr<Tokenizer> loadTokenizer(const std::filesystem::path& path) {
  auto model_path = resolveTokenizerModelPath(path);
  std::error_code ec;
  auto size = std::filesystem::file_size(model_path, ec);
  if (ec) throwIoError(model_path.string() + ": cannot read: " + ec.message());
  if (size == 0) throwInputError(model_path.string() + ": tokenizer model file is empty");
  // SentencePiece reports an unreadable file like a corrupt one; tell them apart here.
  if (!std::ifstream(model_path, std::ios::binary)) throwIoError(describeErrno("cannot read " + model_path.string()));
  return SpmTokenizer::fromFile(model_path);
}

}  // namespace temper
