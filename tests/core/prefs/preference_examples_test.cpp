// What the pairwise methods train on (core/prefs/preference_examples.h), on a byte tokenizer whose
// ids can be read back as text (tests/support/byte_tokenizer.h).
#include "core/prefs/preference_examples.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "tests/support/byte_tokenizer.h"

namespace temper {
namespace {

const test_support::ByteTokenizer kTokenizer;
constexpr int kEos = 3;

NewPreferencePair textPair(std::string prompt, std::string chosen, std::string rejected) {
  NewPreferencePair pair;
  pair.prompt = std::move(prompt);
  pair.completion_a = std::move(chosen);
  pair.completion_b = std::move(rejected);
  return pair;
}

std::string text(const std::vector<int>& ids) { return kTokenizer.decode(ids); }

TEST(PreferenceExamples, TextPairsAreThePromptAndEachAnswerWithEos) {
  auto built = buildPreferenceExamples({textPair("Q: 2+2?\nA:", " 4", " 5")}, "set t", kTokenizer, {});
  ASSERT_EQ(built.examples.size(), 1u);
  const auto& e = built.examples[0];
  EXPECT_EQ(text(e.prompt), "Q: 2+2?\nA:");
  EXPECT_EQ(text(e.chosen), " 4");
  EXPECT_EQ(text(e.rejected), " 5");
  EXPECT_EQ(e.chosen.back(), kEos);
  EXPECT_EQ(e.rejected.back(), kEos);
  EXPECT_EQ(e.source, "set t pair 1");
  EXPECT_EQ(built.answer_tokens, 6);
  EXPECT_EQ(built.summary()["examples"], 1);
}

TEST(PreferenceExamples, ConversationsEndThePromptWithTheAssistantHeaderAndTheAnswerWithItsEndMarker) {
  NewPreferencePair pair;
  pair.messages_json = R"([{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},)"
                       R"({"role":"user","content":"yes or no?"}])";
  pair.completion_a = "yes";
  pair.completion_b = "no";
  PreferenceExampleOptions options;
  options.chat = chatTemplateByName("chatml", "", "");
  auto built = buildPreferenceExamples({pair}, "prefs.jsonl", kTokenizer, options);
  ASSERT_EQ(built.examples.size(), 1u);
  const auto& e = built.examples[0];
  // transformers' apply_chat_template(add_generation_prompt=True) for ChatML, then the answer turn.
  EXPECT_EQ(text(e.prompt),
            "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n"
            "<|im_start|>user\nyes or no?<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(text(e.chosen), "yes<|im_end|>\n");
  EXPECT_EQ(text(e.rejected), "no<|im_end|>\n");
  EXPECT_EQ(built.boundary_changed, 0);
}

TEST(PreferenceExamples, ASequenceOverTheLimitKeepsItsStart) {
  PreferenceExampleOptions options;
  options.max_tokens = 8;
  auto built = buildPreferenceExamples({textPair("abc", "defgh", "xy")}, "set t", kTokenizer, options);
  ASSERT_EQ(built.examples.size(), 1u);
  EXPECT_EQ(text(built.examples[0].chosen), "defgh");  // 5 of its 6 ids: the eos is cut
  EXPECT_EQ(built.examples[0].chosen.size(), 5u);
  EXPECT_EQ(built.examples[0].rejected.back(), kEos);  // 3 ids fit whole
  EXPECT_EQ(built.truncated, 1);
}

TEST(PreferenceExamples, PairsLeftWithoutADifferenceOrWithoutRoomAreDroppedAndCounted) {
  PreferenceExampleOptions options;
  options.max_tokens = 8;
  auto built = buildPreferenceExamples(
      {textPair("abcdefgh", "x", "y"), textPair("abcdef", "xyz1", "xyz2"), textPair("p", "a", "b")}, "set t",
      kTokenizer, options);
  EXPECT_EQ(built.pairs, 3);
  EXPECT_EQ(built.dropped_long_prompt, 1);  // 8 prompt ids leave no room for an answer
  EXPECT_EQ(built.dropped_identical, 1);    // both answers cut to "xy"
  ASSERT_EQ(built.examples.size(), 1u);
  EXPECT_EQ(built.examples[0].source, "set t pair 3");
  EXPECT_EQ(built.truncated, 0);  // the dropped pair's cut is not counted as kept
}

TEST(PreferenceExamples, AConversationWithoutAChatTemplateIsAConfigErrorNamingThePair) {
  NewPreferencePair pair;
  pair.messages_json = R"([{"role":"user","content":"hi"}])";
  pair.completion_a = "a";
  pair.completion_b = "b";
  try {
    buildPreferenceExamples({textPair("p", "a", "b"), pair}, "set t", kTokenizer, {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidConfig);
    EXPECT_NE(std::string(e.what()).find("set t pair 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("chat-template"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace temper
