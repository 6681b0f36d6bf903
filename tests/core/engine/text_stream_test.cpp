// core/engine/text_stream: what is printed while text streams in, for split UTF-8 characters and
// stop strings that arrive piece by piece. Torch-free: the source is compiled into this test.
#include "core/engine/text_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace temper {
namespace {

// Feeds `text` one byte at a time (the worst a byte-level tokenizer can do) and returns what was
// printed, checking that printing never gets ahead of a prefix of `expected`.
std::string streamBytes(TextStream& stream, const std::string& text, const std::string& expected) {
  std::string printed;
  for (size_t i = 1; i <= text.size(); ++i) {
    printed += stream.update(text.substr(0, i));
    EXPECT_EQ(expected.compare(0, printed.size(), printed), 0) << "printed too early: " << printed;
    if (stream.stopped()) break;
  }
  printed += stream.finish();
  return printed;
}

TEST(TextStream, NeverSplitsAMultiByteCharacter) {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80!";  // café € 😀!
  TextStream stream;
  std::vector<std::string> pieces;
  for (size_t i = 1; i <= text.size(); ++i) {
    std::string piece = stream.update(text.substr(0, i));
    if (!piece.empty()) pieces.push_back(piece);
  }
  EXPECT_EQ(pieces,
            (std::vector<std::string>{"c", "a", "f", "\xC3\xA9", " ", "\xE2\x82\xAC", " ", "\xF0\x9F\x98\x80", "!"}));
  EXPECT_EQ(stream.printed(), text);
}

TEST(TextStream, HoldsBackReplacementCharactersUntilTheyResolve) {
  TextStream stream;
  EXPECT_EQ(stream.update("ab\xEF\xBF\xBD"), "ab");  // a decoder's U+FFFD for a partial character
  EXPECT_EQ(stream.update("ab\xC3\xA9"), "\xC3\xA9");
  // A replacement character that stays one is printed at the end.
  EXPECT_EQ(stream.update("ab\xC3\xA9\xEF\xBF\xBD"), "");
  EXPECT_EQ(stream.finish(), "\xEF\xBF\xBD");
}

TEST(TextStream, CutsBeforeTheFirstStopStringEvenWhenItArrivesByteByByte) {
  TextStream stream({"\nUser:", "###"});
  EXPECT_EQ(streamBytes(stream, "Sure. \nUsers are\nUser: more", "Sure. \nUsers are"), "Sure. \nUsers are");
  EXPECT_TRUE(stream.stopped());
  EXPECT_EQ(stream.update("Sure. \nUsers are\nUser: more and more"), "");
  EXPECT_EQ(stream.printed(), "Sure. \nUsers are");

  TextStream two({"zz", "b#"});
  EXPECT_EQ(streamBytes(two, "aab#zz", "aa"), "aa");
}

TEST(TextStream, APartialStopAtTheEndIsPrintedWhenGenerationEnds) {
  TextStream stream({"###"});
  EXPECT_EQ(stream.update("done ##"), "done ");
  EXPECT_FALSE(stream.stopped());
  EXPECT_EQ(stream.finish(), "##");
  EXPECT_EQ(stream.printed(), "done ##");
}

TEST(TextStream, IncompleteTailBytes) {
  EXPECT_EQ(unsettledUtf8Tail("abc"), 0u);
  EXPECT_EQ(unsettledUtf8Tail("ab\xE2\x82"), 2u);
  EXPECT_EQ(unsettledUtf8Tail("ab\xE2\x82\xAC"), 0u);
  EXPECT_EQ(unsettledUtf8Tail("ab\xF0"), 1u);
  EXPECT_EQ(unsettledUtf8Tail("\xEF\xBF\xBD\xEF\xBF\xBD"), 6u);
  EXPECT_EQ(unsettledUtf8Tail(""), 0u);
}

}  // namespace
}  // namespace temper
