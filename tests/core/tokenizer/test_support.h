#pragma once
// Helpers shared by the tokenizer and data tests: a temporary folder, file writing, catching a
// temper::Error to look at its kind and message.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/common/error.h"
#include "tests/support/temp_dir.h"

namespace temper::test {

using test_support::TempDir;

inline void writeFile(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Runs `fn`, which must throw temper::Error; returns it (a failed test when nothing is thrown).
template <typename Fn>
Error catchError(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-temper exception: " << e.what();
    return Error(ErrorKind::Internal, e.what());
  }
  ADD_FAILURE() << "expected a temper::Error, nothing was thrown";
  return Error(ErrorKind::Internal, "<nothing thrown>");
}

inline std::string sharedData(const std::string& relative) { return std::string(TEMPER_SHARED_DATA) + "/" + relative; }

/// The unigram SentencePiece model of ../shared/data that most tokenizer tests read.
inline std::string botchanModel() { return sharedData("tokenizers/botchan-unigram-1000.model"); }

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
inline bool contains(const Error& e, const std::string& part) { return contains(std::string(e.what()), part); }

/// A few KB of varied prose and code (indentation, unicode, digits, long lines) for training.
inline std::string sampleCorpusText() {
  std::string text;
  const char* prose[] = {
      "The quick brown fox jumps over the lazy dog while the cat watches from the fence.\n",
      "Tokenizers split text into pieces; a good one keeps common words whole and rare ones in parts.\n",
      "Naïve café owners in Zürich serve crème brûlée — déjà vu for the tourists. 東京の天気は晴れです。\n",
      "Numbers like 1234, 3.14159 and 2024-06-01 appear in logs, invoices and version strings v1.2.3.\n",
  };
  const char* code[] = {
      "export function add(a: number, b: number): number {\n  return a + b;\n}\n\n",
      "const cache = new Map<string, Query>();\nfor (const [key, query] of cache) {\n    if (query.isStale()) {\n"
      "        cache.delete(key);\n    }\n}\n\n",
      "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n    a, b = 0, 1\n    for _ in range(n):\n"
      "        a, b = b, a + b\n    return a\n\n",
      "interface Options {\n\tretry?: number;\n\tonError: (error: Error) => void; // called once\n}\n\n",
  };
  for (int round = 0; round < 6; ++round) {
    for (const char* line : prose) text += line;
    for (const char* block : code) text += block;
    text += "const id_" + std::to_string(round * 7919) + " = \"value-" + std::to_string(round) + "\";\r\n";
  }
  return text;
}

}  // namespace temper::test
