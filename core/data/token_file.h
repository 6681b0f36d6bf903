#pragma once
/// Read-only access to a token file (train.bin / val.bin): a flat array of little-endian uint16 or
/// uint32 ids, memory-mapped so a corpus larger than RAM costs only what is touched.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/data/dataset_meta.h"

namespace temper {

/// Move-only; owns its mapping. All const methods are safe to call from many threads at once.
class TokenFile {
 public:
  /// Maps `path` holding `dtype` ("uint16" | "uint32") ids. Throws Error(Io) when it cannot be
  /// opened or mapped, Error(InvalidInput) when its size is not a multiple of the token width
  /// ("truncated"). When `vocab_size` > 0, every id is checked to be below it (one pass over the
  /// file) and the first one that is not is named with its index.
  static TokenFile open(const std::filesystem::path& path, const std::string& dtype, int vocab_size = 0);

  TokenFile(TokenFile&& other) noexcept;
  TokenFile& operator=(TokenFile&& other) noexcept;
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;
  ~TokenFile();

  /// Number of tokens.
  int64_t size() const { return size_; }
  /// Token `i`; throws Error(Internal) when `i` is outside [0, size()).
  uint32_t at(int64_t i) const;
  /// Copies tokens [start, start + count) into `out`; throws Error(Internal) when out of range.
  void copyTokens(int64_t start, int64_t count, int64_t* out) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  TokenFile() = default;
  void release() noexcept;

  std::filesystem::path path_;
  const unsigned char* data_ = nullptr;  // mapping of map_bytes_ bytes, or null for an empty file
  size_t map_bytes_ = 0;
  int64_t size_ = 0;
  int width_ = 2;
};

/// Opens `dir`/`split`.bin ("train" or "val") of a prepared dataset, checking its token count
/// against meta.json (a mismatch means an interrupted or mixed-up preparation) and every id
/// against the vocabulary.
TokenFile openDatasetSplit(const std::filesystem::path& dir, const DatasetMeta& meta, std::string_view split);

}  // namespace temper
