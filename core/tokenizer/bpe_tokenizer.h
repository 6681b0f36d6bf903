#pragma once
/// Byte-level BPE read from a Hugging Face `tokenizer.json` (GPT-2, Llama 3, Qwen2, SmolLM), encoding
/// exactly as the `tokenizers` library does:
///   1. added tokens (special or not) are cut out of the text first, leftmost-longest; those with
///      "normalized": false on the raw text, then the rest on the normalized text;
///   2. each remaining piece is normalized (null, or NFC/NFD/NFKC/NFKD through ICU);
///   3. pre-tokenized by the declared steps: Split(Regex|String, Isolated), Digits, and a final
///      ByteLevel (add_prefix_space, use_regex = GPT-2's pattern), regexes run by PCRE2;
///   4. each pre-token's bytes are merged by merge rank (lowest first, leftmost among equals), or
///      taken whole when `ignore_merges` is set and the vocab has it.
/// Anything else the file asks for is refused when loading (docs/tokenizers.md lists what and why).
#include <array>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/common/json_io.h"
#include "core/tokenizer/regex_splitter.h"
#include "core/tokenizer/tokenizer.h"
#include "core/tokenizer/unicode_normalizer.h"

namespace temper {

class BpeTokenizer final : public Tokenizer {
 public:
  /// Reads and checks `path`. Throws Error(Io) when it cannot be read, Error(InvalidInput) naming
  /// the file and the JSON field for anything malformed or not reproducible exactly.
  static std::unique_ptr<BpeTokenizer> fromFile(const std::filesystem::path& path);
  /// Same from parsed JSON; `file` names the source in messages.
  static std::unique_ptr<BpeTokenizer> fromJson(const Json& json, const std::string& file);
  ~BpeTokenizer() override;

  std::vector<int> encode(std::string_view text) const override;
  EncodedText encodeWithOffsets(std::string_view text) const override;
  /// Like Hugging Face's decode(ids, skip_special_tokens=True): special added tokens give nothing,
  /// other tokens go through the ByteLevel decoder, and invalid UTF-8 becomes U+FFFD.
  std::string decode(const std::vector<int>& ids) const override;
  int vocabSize() const override { return static_cast<int>(tokens_.size()); }
  /// A tokenizer.json alone names no bos/eos/pad (those live in tokenizer_config.json; see
  /// openTokenizer): -1, except bos when the post-processor puts exactly one token first.
  int bosId() const override { return prefix_ids_.size() == 1 ? prefix_ids_[0] : -1; }
  int eosId() const override { return -1; }
  int padId() const override { return -1; }
  int unkId() const override { return unk_id_; }
  std::string pieceFor(int id) const override;
  int tokenId(std::string_view token) const override;
  std::vector<int> prefixIds() const override { return prefix_ids_; }
  std::vector<int> suffixIds() const override { return suffix_ids_; }
  std::string kind() const override { return "byte-level-bpe"; }

  /// True when `id` is an added token marked "special" (decode skips those).
  bool isSpecial(int id) const;
  /// The texts of all added tokens marked special (for chat templates and stop strings).
  std::vector<std::string> specialTokens() const;
  const std::string& file() const { return file_; }

 private:
  struct AddedToken {
    std::string content;
    int id = -1;
    bool special = false;
    bool normalized = false;
  };
  // Added tokens indexed by first byte, longest first, for a leftmost-longest scan.
  struct AddedMatcher {
    std::array<std::vector<int>, 256> by_first_byte;  // indices into added_
    bool empty = true;
  };
  struct PreStep {
    std::unique_ptr<RegexSplitter> regex;  // null: ByteLevel without use_regex
    bool byte_level = false;
    bool add_prefix_space = false;
  };
  struct Piece {
    size_t begin, end;  // in the normalized text
    bool prefix_space;  // ByteLevel put a space in front
  };

  BpeTokenizer() = default;
  void load(const Json& json);
  void loadModel(const Json& model);
  void loadAddedTokens(const Json& added);
  void loadNormalizer(const Json& normalizer, const std::string& field);
  void loadPreTokenizer(const Json& pre, const std::string& field);
  void loadPostProcessor(const Json& post, const std::string& field);
  void loadDecoder(const Json& decoder);

  void encodeImpl(std::string_view text, std::vector<int>& ids, std::vector<std::pair<size_t, size_t>>* offsets) const;
  // Cuts `text` at the added tokens of `matcher`: (begin, end, added id or -1).
  void splitAdded(std::string_view text, const AddedMatcher& matcher,
                  std::vector<std::tuple<size_t, size_t, int>>& out) const;
  void encodeNormalizedPiece(std::string_view text, size_t base, bool exact, size_t orig_begin, size_t orig_end,
                             std::vector<int>& ids, std::vector<std::pair<size_t, size_t>>* offsets) const;
  // The ids of one pre-token (raw bytes), from the cache or by merging.
  void bpeWord(std::string_view word, std::vector<int>& ids) const;
  void mergeWord(std::string_view word, std::vector<int>& ids) const;
  void mergeSmall(std::vector<int>& symbols) const;
  void mergeLarge(std::vector<int>& symbols) const;
  [[noreturn]] void refuse(const std::string& field, const std::string& why) const;

  std::string file_;
  std::vector<std::string> tokens_;                           // id -> token as stored (vocab string or added content)
  std::vector<std::string> decoded_;                          // id -> bytes the ByteLevel decoder writes for it
  std::vector<char> assigned_;                                // id -> has a token (ids may have gaps)
  std::vector<char> special_;                                 // id -> special added token
  std::unordered_map<std::string, int> vocab_;                // vocab string -> id
  std::unordered_map<std::string, int> raw_vocab_;            // raw bytes -> id, for ignore_merges
  std::array<int, 256> byte_ids_{};                           // id of each single byte, -1 when absent
  std::unordered_map<uint64_t, std::pair<int, int>> merges_;  // (left, right) -> (rank, merged id)
  std::vector<AddedToken> added_;
  std::unordered_map<std::string, int> added_ids_;  // content -> id
  AddedMatcher raw_matcher_, normalized_matcher_;
  std::optional<UnicodeNormalizer> normalizer_;
  std::vector<PreStep> pre_steps_;
  std::vector<int> prefix_ids_, suffix_ids_;
  int unk_id_ = -1;
  bool fuse_unk_ = false;
  bool ignore_merges_ = false;

  // Pre-token -> ids. Text repeats words constantly; a bounded cache shared by all threads.
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int>> cache_;
};

}  // namespace temper
