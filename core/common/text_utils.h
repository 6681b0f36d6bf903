#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace temper {

/// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool isValidUtf8(std::string_view bytes);
/// Offset of the first invalid byte, or npos.
size_t firstInvalidUtf8(std::string_view bytes);
/// Heuristic binary check used when walking folders: a NUL byte in the first 8 KiB.
bool looksBinary(std::string_view bytes);

std::vector<std::string> splitString(std::string_view text, char separator);
std::string trim(std::string_view text);
/// "1.2 MB", "345 KB" for messages.
std::string humanBytes(uint64_t bytes);

}  // namespace temper
