#pragma once
/// Unicode normalization forms (NFC, NFD, NFKC, NFKD) through ICU, for tokenizer.json normalizers
/// (Qwen2 declares NFC).
#include <memory>
#include <string>
#include <string_view>

namespace temper {

enum class UnicodeForm { Nfc, Nfd, Nfkc, Nfkd };

class UnicodeNormalizer {
 public:
  /// Throws Error(Internal) when ICU has no data for the form.
  explicit UnicodeNormalizer(UnicodeForm form);
  /// True when `text` (valid UTF-8) is already in the form: normalize() would return it unchanged.
  bool isNormalized(std::string_view text) const;
  /// `text` in the form.
  std::string normalize(std::string_view text) const;
  UnicodeForm form() const { return form_; }

 private:
  UnicodeForm form_;
  const void* normalizer_;  // icu::Normalizer2*, owned by ICU
};

}  // namespace temper
