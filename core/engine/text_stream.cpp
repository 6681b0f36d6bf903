#include "core/engine/text_stream.h"

#include <algorithm>

namespace temper {
namespace {

constexpr const char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// The length of the longest suffix of `text` that is a proper prefix of some stop string.
size_t stopPrefixTail(const std::string& text, const std::vector<std::string>& stops) {
  size_t longest = 0;
  for (const auto& stop : stops) {
    for (size_t n = std::min(stop.size() - 1, text.size()); n > longest; --n) {
      if (text.compare(text.size() - n, n, stop, 0, n) == 0) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

}  // namespace

size_t unsettledUtf8Tail(const std::string& text) {
  size_t end = text.size();
  // Trailing replacement characters first: the next token may complete the bytes they stand for.
  while (end >= 3 && text.compare(end - 3, 3, kReplacement) == 0) end -= 3;
  // Then an incomplete sequence: a lead byte whose continuation bytes have not all arrived.
  size_t i = end, continuation = 0;
  while (i > 0 && continuation < 3 && (static_cast<unsigned char>(text[i - 1]) & 0xC0) == 0x80) {
    --i;
    ++continuation;
  }
  if (i > 0) {
    const auto lead = static_cast<unsigned char>(text[i - 1]);
    size_t expected = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    if (expected > continuation) end = i - 1;
  }
  return text.size() - end;
}

TextStream::TextStream(std::vector<std::string> stop_strings) {
  for (auto& stop : stop_strings) {
    if (!stop.empty()) stops_.push_back(std::move(stop));
  }
}

std::string TextStream::update(const std::string& decoded) {
  if (stopped_) return {};
  latest_ = decoded;
  size_t cut = std::string::npos;
  for (const auto& stop : stops_) cut = std::min(cut, decoded.find(stop));
  size_t settled;
  if (cut != std::string::npos) {
    stopped_ = true;
    latest_ = decoded.substr(0, cut);
    settled = cut;
  } else {
    settled = decoded.size() - unsettledUtf8Tail(decoded);
    settled -= stopPrefixTail(decoded.substr(0, settled), stops_);
  }
  // Text already printed is never taken back; a decoder that rewrote it (it should not) only
  // loses the rewrite.
  if (settled <= printed_.size()) return {};
  std::string fresh = decoded.substr(printed_.size(), settled - printed_.size());
  printed_ += fresh;
  return fresh;
}

std::string TextStream::finish() {
  if (latest_.size() <= printed_.size()) return {};
  std::string rest = latest_.substr(printed_.size());
  printed_ += rest;
  return rest;
}

}  // namespace temper
