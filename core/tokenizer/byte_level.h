#pragma once
/// GPT-2's byte-to-unicode map, shared by every byte-level BPE tokenizer (GPT-2, Llama 3, Qwen2,
/// SmolLM): each of the 256 byte values is written as one printable code point so that a vocab of
/// byte sequences can be stored as JSON strings. Bytes 33..126, 161..172 and 174..255 stand for
/// themselves; the other 68 bytes take U+0100, U+0101, ... in increasing byte order (so a space,
/// 0x20, is "Ġ" U+0120 and a newline is "Ċ" U+010A).
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace temper::byte_level {

/// The code point that stands for `byte`.
char32_t charForByte(unsigned char byte);
/// UTF-8 of charForByte for every byte (what vocab strings are made of).
const std::array<std::string, 256>& utf8ForBytes();
/// The byte a code point stands for, or nullopt when it is not one of the 256 image code points.
std::optional<unsigned char> byteForChar(char32_t c);

/// Raw bytes of a vocab string written in the map (e.g. "Ġthe" -> " the"); nullopt when some
/// character is not in the map (such strings can never come out of byte-level pre-tokenization).
/// Throws nothing; invalid UTF-8 also gives nullopt.
std::optional<std::string> decodeMapped(std::string_view mapped);
/// The map applied to every byte of `raw` (" the" -> "Ġthe").
std::string encodeMapped(std::string_view raw);

/// Decodes one UTF-8 code point at `pos`, advancing it; nullopt (pos unchanged) when the bytes there
/// are not valid UTF-8 (overlong forms, surrogates and values above U+10FFFF are invalid).
std::optional<char32_t> nextCodePoint(std::string_view text, size_t& pos);
/// Position of the first byte that is not part of valid UTF-8, or npos.
size_t firstInvalidUtf8(std::string_view text);
/// Bytes to text the way Rust's String::from_utf8_lossy (and Python's errors="replace") does it:
/// each maximal invalid subpart becomes U+FFFD.
std::string utf8Lossy(std::string_view bytes);
/// UTF-8 of one code point.
void appendUtf8(std::string& out, char32_t c);

}  // namespace temper::byte_level
