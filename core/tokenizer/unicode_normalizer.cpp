#include "core/tokenizer/unicode_normalizer.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include "core/common/error.h"

namespace temper {
namespace {

const icu::Normalizer2* instanceFor(UnicodeForm form, UErrorCode& status) {
  switch (form) {
    case UnicodeForm::Nfc:
      return icu::Normalizer2::getNFCInstance(status);
    case UnicodeForm::Nfd:
      return icu::Normalizer2::getNFDInstance(status);
    case UnicodeForm::Nfkc:
      return icu::Normalizer2::getNFKCInstance(status);
    case UnicodeForm::Nfkd:
      return icu::Normalizer2::getNFKDInstance(status);
  }
  return nullptr;
}

const icu::Normalizer2& get(const void* p) { return *static_cast<const icu::Normalizer2*>(p); }

icu::StringPiece piece(std::string_view text) {
  return icu::StringPiece(text.data(), static_cast<int32_t>(text.size()));
}

}  // namespace

UnicodeNormalizer::UnicodeNormalizer(UnicodeForm form) : form_(form) {
  UErrorCode status = U_ZERO_ERROR;
  normalizer_ = instanceFor(form, status);
  if (U_FAILURE(status) || normalizer_ == nullptr) {
    throw Error(ErrorKind::Internal, std::string("ICU has no Unicode normalization data: ") + u_errorName(status));
  }
}

bool UnicodeNormalizer::isNormalized(std::string_view text) const {
  UErrorCode status = U_ZERO_ERROR;
  const bool yes = get(normalizer_).isNormalizedUTF8(piece(text), status);
  if (U_FAILURE(status))
    throw Error(ErrorKind::Internal, std::string("ICU normalization check: ") + u_errorName(status));
  return yes;
}

std::string UnicodeNormalizer::normalize(std::string_view text) const {
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(text.size()));
  UErrorCode status = U_ZERO_ERROR;
  get(normalizer_).normalizeUTF8(0, piece(text), sink, nullptr, status);
  if (U_FAILURE(status)) throw Error(ErrorKind::Internal, std::string("ICU normalization: ") + u_errorName(status));
  return out;
}

}  // namespace temper
