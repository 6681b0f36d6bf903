#pragma once
// A tokenizer whose ids can be worked out by hand: id = byte + 4; pad 0, unk 1, bos 2, eos 3. For
// tests of what becomes which token (SFT and preference examples).
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/tokenizer.h"

namespace temper::test_support {

class ByteTokenizer : public Tokenizer {
 public:
  std::vector<int> encode(std::string_view text) const override { return encodeWithOffsets(text).ids; }
  EncodedText encodeWithOffsets(std::string_view text) const override {
    EncodedText out;
    for (size_t i = 0; i < text.size(); ++i) {
      out.ids.push_back(static_cast<unsigned char>(text[i]) + 4);
      out.offsets.emplace_back(i, i + 1);
    }
    return out;
  }
  std::string decode(const std::vector<int>& ids) const override {
    std::string text;
    for (int id : ids) {
      if (id >= 4) text += static_cast<char>(id - 4);
    }
    return text;
  }
  int vocabSize() const override { return 260; }
  int bosId() const override { return 2; }
  int eosId() const override { return 3; }
  int padId() const override { return 0; }
  int unkId() const override { return 1; }
  std::string pieceFor(int id) const override { return std::string(1, static_cast<char>(id - 4)); }
  int tokenId(std::string_view) const override { return -1; }
  std::string kind() const override { return "bytes"; }
};

}  // namespace temper::test_support
