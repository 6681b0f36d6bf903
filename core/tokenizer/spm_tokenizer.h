#pragma once
/// Tokenizer over a SentencePiece model held by the shim. Internal to core/tokenizer: other modules
/// use Tokenizer and loadTokenizer (tokenizer.h).
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/spm_shim_api.h"
#include "core/tokenizer/tokenizer.h"

namespace temper {

class SpmTokenizer final : public Tokenizer {
 public:
  /// Throws Error(InvalidInput) naming `path` when SentencePiece cannot parse it.
  static std::unique_ptr<SpmTokenizer> fromFile(const std::filesystem::path& path);
  /// `what` names the bytes in error messages (e.g. "the model just trained").
  static std::unique_ptr<SpmTokenizer> fromBytes(std::string_view bytes, const std::string& what);
  ~SpmTokenizer() override;
  SpmTokenizer(const SpmTokenizer&) = delete;
  SpmTokenizer& operator=(const SpmTokenizer&) = delete;

  std::vector<int> encode(std::string_view text) const override;
  EncodedText encodeWithOffsets(std::string_view text) const override;
  std::string decode(const std::vector<int>& ids) const override;
  int vocabSize() const override { return vocab_size_; }
  int bosId() const override { return bos_id_; }
  int eosId() const override { return eos_id_; }
  int padId() const override { return pad_id_; }
  int unkId() const override { return unk_id_; }
  std::string pieceFor(int id) const override;
  int tokenId(std::string_view token) const override;
  std::string kind() const override { return "sentencepiece"; }

 private:
  explicit SpmTokenizer(TemperSpmModel* model);

  TemperSpmModel* model_;  // owned; released with the shim's temper_spm_free
  int vocab_size_;
  int bos_id_;
  int eos_id_;
  int pad_id_;
  int unk_id_;
};

}  // namespace temper
