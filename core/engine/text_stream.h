#pragma once
/// Streaming generated text to a person without ever printing something that has to be taken
/// back: the decoded text grows token by token, but its last characters may still change (a
/// multi-byte UTF-8 character split over byte tokens decodes to U+FFFD or to a partial sequence
/// until its last byte arrives) or turn out to begin a stop string. TextStream prints only what
/// is settled and cuts the text at the first stop string.
#include <string>
#include <vector>

namespace temper {

class TextStream {
 public:
  /// Empty stop strings are ignored.
  explicit TextStream(std::vector<std::string> stop_strings = {});

  /// `decoded`: the decoded text of every generated id so far. Returns the part that became
  /// settled since the last call (possibly empty). Once a stop string has appeared it returns the
  /// text before it (what was not printed yet) and then nothing.
  std::string update(const std::string& decoded);
  /// The held-back tail at the end of generation (cut at a stop string).
  std::string finish();

  bool stopped() const { return stopped_; }
  /// Everything printed so far (after finish(): the whole answer, without the stop string).
  const std::string& printed() const { return printed_; }

 private:
  std::vector<std::string> stops_;
  std::string printed_;
  std::string latest_;
  bool stopped_ = false;
};

/// Bytes at the end of `text` that could still change: an incomplete UTF-8 sequence, or U+FFFD
/// replacement characters a decoder writes for bytes it has not seen the rest of.
size_t unsettledUtf8Tail(const std::string& text);

}  // namespace temper
