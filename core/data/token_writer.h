#pragma once
/// Streams token ids to a file under a temporary name; commit() makes it durable and gives it its
/// final name, so a crash or a full disk never leaves a half-written train.bin behind.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace temper {

/// Not thread-safe; move-less (owns a descriptor). Abandoned without commit(), it removes its
/// temporary file.
class TokenWriter {
 public:
  /// Throws Error(Io) naming `final_path` when the temporary cannot be created.
  TokenWriter(std::filesystem::path final_path, int bytes_per_token);
  ~TokenWriter();
  TokenWriter(const TokenWriter&) = delete;
  TokenWriter& operator=(const TokenWriter&) = delete;

  /// Appends ids little-endian. Ids must fit the width (the caller checked the vocabulary).
  void append(std::span<const int> ids);
  void append(int id) { append(std::span<const int>(&id, 1)); }
  int64_t tokens() const { return tokens_; }

  /// Flushes, fsyncs and renames onto the final path. Throws Error(Io) (e.g. disk full).
  void commit();

 private:
  void flush();

  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  int width_;
  int64_t tokens_ = 0;
  std::vector<unsigned char> buffer_;
};

}  // namespace temper
