#pragma once
/// Reading gzip-compressed text (`.jsonl.gz`, `.csv.gz`: how datasets are shipped) through zlib.
#include <filesystem>
#include <string>

namespace temper {

/// True when the file name ends in `.gz`.
bool isGzipPath(const std::filesystem::path& path);

/// The whole decompressed content of a gzip file (several concatenated members, as `cat a.gz b.gz`
/// makes, read as one). Throws Error(Io) when it cannot be opened and Error(InvalidInput) naming
/// the file when it is not gzip data or is cut short.
std::string readGzipFile(const std::filesystem::path& path);

}  // namespace temper
