#pragma once
/// Feeds a corpus to SentencePiece's trainer as "sentences": pieces of documents of at most
/// kMaxSentenceBytes, cut at line ends where possible. SentencePiece drops any sentence longer than
/// its max_sentence_length, so a minified file or a long line of code must be cut, not lost; and
/// the cuts keep newlines inside sentences so pieces like "\n" and ")\n" can be learned.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/corpus_files.h"

namespace temper {

/// Not thread-safe; one per training run. Reads one corpus file at a time.
class TrainingSentences {
 public:
  static constexpr size_t kTargetSentenceBytes = 2048;
  static constexpr size_t kMaxSentenceBytes = 8192;

  explicit TrainingSentences(const std::vector<CorpusFile>& files) : files_(files) {}

  /// The next sentence, or false at the end. Errors reading files (Error) are thrown.
  bool next(std::string_view* sentence);

  /// For the C callback of the shim: never throws; on failure returns -1 and keeps the exception
  /// for rethrowError().
  static int nextForShim(void* self, const char** text, size_t* len);
  void rethrowError() const;

  int64_t bytes() const { return bytes_; }
  int64_t documents() const { return documents_; }

 private:
  void loadNextFile();

  const std::vector<CorpusFile>& files_;
  size_t next_file_ = 0;
  std::vector<std::string> pending_;
  size_t next_pending_ = 0;
  int64_t bytes_ = 0;
  int64_t documents_ = 0;
  std::exception_ptr error_;
};

/// Cuts `document` into sentences as described above, appending to `out`. Exposed for tests.
void splitIntoSentences(std::string_view document, std::vector<std::string>& out);

}  // namespace temper
