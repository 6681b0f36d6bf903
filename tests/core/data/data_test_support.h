#pragma once
// A small BPE tokenizer trained once per test program (on the shared sample corpus), for tests
// that need exact round trips of arbitrary text.
#include <filesystem>
#include <memory>

#include "core/tokenizer/tokenizer.h"
#include "core/tokenizer/tokenizer_trainer.h"
#include "tests/core/tokenizer/test_support.h"

namespace temper::test {

inline const std::filesystem::path& sharedTestTokenizer() {
  static const std::filesystem::path path = [] {
    auto dir = std::filesystem::temp_directory_path() / ("temper-data-tok-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    writeFile(dir / "corpus.txt", sampleCorpusText());
    TokenizerTrainOptions options;
    options.inputs = {dir / "corpus.txt"};
    options.vocab_size = 400;
    options.out = dir / "tok";
    options.threads = 1;
    auto report = trainTokenizer(options);
    std::filesystem::remove(dir / "corpus.txt");
    return report.model_path;
  }();
  return path;
}

/// Removes the shared tokenizer's folder at exit.
class SharedTokenizerCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(
        std::filesystem::temp_directory_path() / ("temper-data-tok-" + std::to_string(::getpid())), ec);
  }
};

}  // namespace temper::test
