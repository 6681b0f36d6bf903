#pragma once
/// SHA-256 of files and byte strings, as lowercase hex (the same digest `sha256sum` prints).
/// Used to pin a prepared dataset to the exact tokenizer that made it.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace temper {

std::string sha256Hex(std::string_view bytes);
/// Throws Error(Io) naming the path when it cannot be read.
std::string sha256FileHex(const std::filesystem::path& path);

}  // namespace temper
