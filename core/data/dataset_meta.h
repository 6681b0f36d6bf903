#pragma once
/// The description of a prepared dataset folder (meta.json beside train.bin and val.bin): which
/// tokenizer made the tokens, how they are stored, and how many there are.
#include <cstdint>
#include <filesystem>
#include <string>

namespace temper {

struct DatasetMeta {
  std::string tokenizer_path;    ///< the .model file used, absolute
  std::string tokenizer_sha256;  ///< of that file, so a dataset is never used with another tokenizer
  int vocab_size = 0;
  int eos_id = -1;    ///< appended after every document
  std::string dtype;  ///< "uint16" (vocab_size <= 65535) or "uint32", little-endian
  int64_t train_documents = 0;
  int64_t val_documents = 0;
  int64_t train_tokens = 0;
  int64_t val_tokens = 0;
  int64_t bytes = 0;  ///< bytes of document text tokenized
  int format_version = 1;
};

inline constexpr int kDatasetFormatVersion = 1;

/// "uint16" or "uint32" for a vocabulary of `vocab_size` ids.
std::string dtypeForVocab(int vocab_size);
/// Bytes per token of `dtype`; throws Error(InvalidInput) for anything but uint16/uint32.
int bytesPerToken(const std::string& dtype);

/// Reads `dir`/meta.json. Throws Error(Io) when it is missing (the folder is not a prepared dataset,
/// or preparing it did not finish), Error(InvalidInput) naming the field that is missing, of the
/// wrong type or out of range, or a format_version newer than this build understands.
DatasetMeta readDatasetMeta(const std::filesystem::path& dir);
/// Writes `dir`/meta.json atomically.
void writeDatasetMeta(const std::filesystem::path& dir, const DatasetMeta& meta);

}  // namespace temper
