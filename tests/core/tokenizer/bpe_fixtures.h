#pragma once
// Where the byte-level BPE fixtures come from: reference_bpe.py run now when Debian's python3 with
// `regex` is there (so the reference, not a stored answer, is what the C++ meets), else the copies
// committed in golden/bpe/ that the same script wrote.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace temper::test {

inline const std::filesystem::path& committedBpeFixtures() {
  static const std::filesystem::path dir = std::filesystem::path(TEMPER_SOURCE_DIR) / "tests/core/tokenizer/golden/bpe";
  return dir;
}

/// False when TEMPER_NO_PYTHON_REFERENCE is set (to exercise the committed copies).
inline bool pythonReferenceAvailable() {
  static const bool yes = std::getenv("TEMPER_NO_PYTHON_REFERENCE") == nullptr &&
                          std::system("/usr/bin/python3 -c 'import regex' >/dev/null 2>&1") == 0;
  return yes;
}

/// The folder holding <style>/tokenizer.json and <style>/cases.json.
inline const std::filesystem::path& bpeFixtures() {
  static const std::filesystem::path dir = [] {
    if (!pythonReferenceAvailable()) {
      std::printf("[ note ] /usr/bin/python3 with `regex` not found: using committed golden/bpe fixtures\n");
      return committedBpeFixtures();
    }
    char pattern[] = "/tmp/temper-bpe-ref-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    if (made == nullptr) return committedBpeFixtures();
    const std::string command =
        "/usr/bin/python3 " TEMPER_SOURCE_DIR "/tests/core/tokenizer/reference_bpe.py make " + std::string(made);
    if (std::system(command.c_str()) != 0) {
      ADD_FAILURE() << "reference_bpe.py failed: " << command;
      return committedBpeFixtures();
    }
    return std::filesystem::path(made);
  }();
  return dir;
}

inline const char* const kBpeStyles[] = {"gpt2", "gpt2p", "llama3", "qwen2", "smollm", "nfkc"};

}  // namespace temper::test
