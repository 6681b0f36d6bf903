#pragma once
/// A pre-tokenizer regex run with PCRE2 (UTF + UCP, JIT when available), splitting text the way
/// Hugging Face's `Split` with behavior "Isolated" does: every match is a piece, and so is every
/// stretch of text between matches.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace temper {

class RegexSplitter {
 public:
  /// Compiles `pattern` (`literal`: matched as plain text, for Split's {"String": ...}). Throws
  /// Error(InvalidInput) "<what>: cannot compile the regex ...: <PCRE2's message> at offset N".
  RegexSplitter(const std::string& pattern, bool literal, const std::string& what);
  ~RegexSplitter();
  RegexSplitter(const RegexSplitter&) = delete;
  RegexSplitter& operator=(const RegexSplitter&) = delete;

  /// Appends to `out` the [begin, end) byte ranges (relative to `text`) of the pieces of `text`, in
  /// order, none empty. `text` must be valid UTF-8 (checked by the caller). Thread-safe.
  void split(std::string_view text, std::vector<std::pair<size_t, size_t>>& out) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Impl;
  std::string pattern_;
  std::string what_;
  std::unique_ptr<Impl> impl_;
};

/// GPT-2's pattern, the one Hugging Face's ByteLevel pre-tokenizer uses when `use_regex` is true.
inline constexpr const char* kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

}  // namespace temper
