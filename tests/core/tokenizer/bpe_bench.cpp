// tokenizer_bench TOKENIZER_JSON CORPUS: MB/s of BpeTokenizer::encode on one thread, median of 5
// fresh tokenizers (first pass: empty word cache) and of the second pass over the same text.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/common/error.h"
#include "core/tokenizer/bpe_tokenizer.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: tokenizer_bench TOKENIZER_JSON CORPUS\n");
    return 2;
  }
  try {
    std::ifstream in(argv[2], std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    std::vector<double> first, second;
    for (int run = 0; run < 5; ++run) {
      auto tokenizer = temper::BpeTokenizer::fromFile(argv[1]);
      auto time = [&](std::vector<int>& ids) {
        const auto start = std::chrono::steady_clock::now();
        ids = tokenizer->encode(text);
        return text.size() / 1e6 / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      };
      std::vector<int> ids;
      first.push_back(time(ids));
      second.push_back(time(ids));
      if (run == 0) {
        std::printf("%s: vocab %d, %.2f MB -> %zu ids, round trip %s\n", argv[1], tokenizer->vocabSize(),
                    text.size() / 1e6, ids.size(), tokenizer->decode(ids) == text ? "exact" : "DIFFERS");
      }
    }
    std::sort(first.begin(), first.end());
    std::sort(second.begin(), second.end());
    std::printf("median first pass %.1f MB/s, second pass (warm cache) %.1f MB/s\n", first[2], second[2]);
  } catch (const temper::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
