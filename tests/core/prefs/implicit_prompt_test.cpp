// Splitting the prompt off implicit-prompt preference records: after the last assistant marker the
// answers share (HH), else at a word boundary with the space kept in the answers (TRL's rule), never
// inside a UTF-8 character; conversations split at the first differing message.
#include "core/prefs/implicit_prompt.h"

#include <gtest/gtest.h>

namespace temper {
namespace {

std::optional<TextPromptSplit> split(const std::string& chosen, const std::string& rejected) {
  return splitImplicitPrompt(chosen, rejected, knownAssistantMarkers());
}

TEST(ImplicitPrompt, CutsAfterTheLastSharedAssistantMarker) {
  // The answers share their first words ("I'm"), which stay in the answers.
  const std::string prompt = "\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Can you help?\n\nAssistant:";
  auto s = split(prompt + " I'm happy to.", prompt + " I'm not sure.");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prompt, prompt);
  EXPECT_EQ(s->chosen, " I'm happy to.");
  EXPECT_EQ(s->rejected, " I'm not sure.");
  // ChatML: the marker includes the newline after the role.
  const std::string chatml = "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n";
  s = split(chatml + "Yes<|im_end|>", chatml + "Yep<|im_end|>");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prompt, chatml);
  EXPECT_EQ(s->chosen, "Yes<|im_end|>");
}

TEST(ImplicitPrompt, WithoutAMarkerCutsAtTheWordAndKeepsItsSpace) {
  auto s = split("Answer: Yes", "Answer: No");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prompt, "Answer:");
  EXPECT_EQ(s->chosen, " Yes");
  EXPECT_EQ(s->rejected, " No");
  s = split("The cat sat", "The car sat");  // differ inside "cat"/"car": the whole word goes
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prompt, "The");
  EXPECT_EQ(s->chosen, " cat sat");
  s = split("Q? Yes", "Q? Yes, and more");  // one is a prefix of the other: no empty answer
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prompt, "Q?");
  EXPECT_EQ(s->chosen, " Yes");
  EXPECT_EQ(s->rejected, " Yes, and more");
  s = split("Question:Yes", "Question:No");  // punctuation ends a word
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prompt, "Question:");
  s = split("Q?\nYes", "Q?\nNo");  // a newline stays with the prompt
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prompt, "Q?\n");
  EXPECT_EQ(s->chosen, "Yes");
}

TEST(ImplicitPrompt, NeverCutsInsideACharacter) {
  // "é" is C3 A9 and "è" C3 A8: they share the lead byte, which must stay with the answers. With
  // "Café" / "Cafè" that means the whole word, so the prompt is "Menu:".
  auto s = split("Menu: Caf\xC3\xA9", "Menu: Caf\xC3\xA8");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prompt, "Menu:");
  EXPECT_EQ(s->chosen, " Caf\xC3\xA9");
  const std::string prompt = "\n\nHuman: \xC3\xA9t\xC3\xA9?\n\nAssistant:";
  s = split(prompt + " \xC3\xA9", prompt + " \xC3\xA8");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prompt, prompt);
}

TEST(ImplicitPrompt, RefusesTextsThatShareNothingOrEverything) {
  EXPECT_FALSE(split("Yes", "No"));
  EXPECT_FALSE(split("same", "same"));
  EXPECT_FALSE(split("Yes please", "Yes"));  // the only shared word would be the whole prompt... and an answer
}

TEST(ImplicitPrompt, AUserMarkerIsHonoured) {
  auto s = splitImplicitPrompt("Q: x\nA>> yes yes", "Q: x\nA>> yes no", {"A>>"});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prompt, "Q: x\nA>>");
  EXPECT_EQ(s->chosen, " yes yes");
}

TEST(ImplicitChat, SharedMessagesAreThePromptAndOneAnswerFollows) {
  const std::vector<ChatMessage> prompt = {{"system", "Be brief."}, {"user", "Hi"}};
  auto with = [&](const std::string& answer) {
    auto m = prompt;
    m.push_back({"assistant", answer});
    return m;
  };
  std::string why;
  auto s = splitImplicitChat(with("Hello."), with("Hello there, how are you today?"), why);
  ASSERT_TRUE(s) << why;
  ASSERT_EQ(s->prompt.size(), 2u);
  EXPECT_EQ(s->prompt[1].content, "Hi");
  EXPECT_EQ(s->chosen.content, "Hello.");
  auto two = with("a");
  two.push_back({"user", "more"});
  EXPECT_FALSE(splitImplicitChat(two, with("b"), why));
  EXPECT_NE(why.find("`chosen` must have exactly one more message"), std::string::npos) << why;
  EXPECT_FALSE(splitImplicitChat(with("a"), with("a"), why));
  EXPECT_FALSE(splitImplicitChat({{"user", "x"}, {"assistant", "a"}}, {{"user", "y"}, {"assistant", "a"}}, why));
  EXPECT_NE(why.find("share no first message"), std::string::npos);
}

}  // namespace
}  // namespace temper
