#include "core/tokenizer/byte_level.h"

namespace temper::byte_level {
namespace {

bool standsForItself(unsigned b) { return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174); }

struct Tables {
  std::array<char32_t, 256> char_for_byte{};
  std::array<std::string, 256> utf8{};
  Tables() {
    char32_t next = 256;
    for (unsigned b = 0; b < 256; ++b) {
      char_for_byte[b] = standsForItself(b) ? static_cast<char32_t>(b) : next++;
      appendUtf8(utf8[b], char_for_byte[b]);
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

// Length of the valid UTF-8 sequence at `pos`, 0 when invalid. Follows the Unicode table of
// well-formed byte sequences (Table 3-7), which is what Rust and Python validate against.
size_t validSequenceLength(std::string_view s, size_t pos, size_t* maximal_prefix) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(pos);
  *maximal_prefix = 1;
  if (b0 < 0x80) return 1;
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k <= need; ++k) {
    if (pos + k >= s.size()) return 0;
    const unsigned char b = byte(pos + k);
    const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (b < l || b > h) return 0;
    *maximal_prefix = k + 1;
  }
  return need + 1;
}

}  // namespace

void appendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

char32_t charForByte(unsigned char byte) { return tables().char_for_byte[byte]; }

const std::array<std::string, 256>& utf8ForBytes() { return tables().utf8; }

std::optional<unsigned char> byteForChar(char32_t c) {
  if (c < 256 && standsForItself(c)) return static_cast<unsigned char>(c);
  if (c >= 256 && c < 256 + 68) {
    // The n-th byte that does not stand for itself maps to 256 + n.
    unsigned n = c - 256;
    for (unsigned b = 0; b < 256; ++b) {
      if (standsForItself(b)) continue;
      if (n-- == 0) return static_cast<unsigned char>(b);
    }
  }
  return std::nullopt;
}

std::optional<char32_t> nextCodePoint(std::string_view text, size_t& pos) {
  size_t prefix = 0;
  const size_t len = validSequenceLength(text, pos, &prefix);
  if (len == 0) return std::nullopt;
  const auto b = [&](size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(text[pos + i])); };
  char32_t c = 0;
  switch (len) {
    case 1:
      c = b(0);
      break;
    case 2:
      c = ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
      break;
    case 3:
      c = ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
      break;
    default:
      c = ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
      break;
  }
  pos += len;
  return c;
}

size_t firstInvalidUtf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    if (!nextCodePoint(text, pos)) return pos;
  }
  return std::string_view::npos;
}

std::string utf8Lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t prefix = 0;
    const size_t len = validSequenceLength(bytes, pos, &prefix);
    if (len > 0) {
      out.append(bytes.substr(pos, len));
      pos += len;
    } else {
      out += "\xEF\xBF\xBD";
      pos += prefix;  // the maximal subpart of an ill-formed sequence is replaced as one unit
    }
  }
  return out;
}

std::optional<std::string> decodeMapped(std::string_view mapped) {
  std::string raw;
  raw.reserve(mapped.size());
  size_t pos = 0;
  while (pos < mapped.size()) {
    auto c = nextCodePoint(mapped, pos);
    if (!c) return std::nullopt;
    auto b = byteForChar(*c);
    if (!b) return std::nullopt;
    raw += static_cast<char>(*b);
  }
  return raw;
}

std::string encodeMapped(std::string_view raw) {
  std::string out;
  const auto& utf8 = utf8ForBytes();
  for (char c : raw) out += utf8[static_cast<unsigned char>(c)];
  return out;
}

}  // namespace temper::byte_level
