// Rule rewards (core/rewards/rule_rewards.h): each kind on answers whose scores are worked out by
// hand, the weighted total and its breakdown, the answer extraction, and the errors that name the rule.
#include "core/rewards/rule_rewards.h"

#include <gtest/gtest.h>

#include "core/common/error.h"

namespace temper {
namespace {

RuleScores scoreOne(const std::string& kind, const std::string& argument, const std::string& completion,
                    const std::map<std::string, std::string>& fields = {}) {
  return RuleRewards({{kind, argument, 1.0}}).score(completion, fields);
}

double one(const std::string& kind, const std::string& argument, const std::string& completion,
           const std::map<std::string, std::string>& fields = {}) {
  return scoreOne(kind, argument, completion, fields).scores.at(0);
}

std::string configError(const std::vector<RewardRule>& rules) {
  try {
    RuleRewards checked(rules);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidConfig) << e.what();
    return e.what();
  }
  return "(no error)";
}

TEST(RuleRewards, FormatIsTheWholeAnswerWithEllipsesForAnyText) {
  const std::string format = "<think>...</think><answer>…</answer>";
  EXPECT_EQ(one("format", format, "<think>2+2 is four</think><answer>4</answer>"), 1.0);
  EXPECT_EQ(one("format", format, "\n <think>a\nb</think><answer></answer>\n"), 1.0);  // whitespace around, newlines in
  EXPECT_EQ(one("format", format, "<answer>4</answer>"), 0.0);
  EXPECT_EQ(one("format", format, "<think>x</think><answer>4</answer> and more"), 0.0);  // the whole answer
  EXPECT_EQ(one("format", "(a+b)*...", "(a+b)*c"), 1.0);  // regex characters are literal text
  EXPECT_EQ(one("format", "(a+b)*...", "aab*c"), 0.0);
}

TEST(RuleRewards, RegexContainsAndNotContains) {
  EXPECT_EQ(one("regex", R"(\d{3})", "call 555 now"), 1.0);
  EXPECT_EQ(one("regex", R"(\d{3})", "call 55 now"), 0.0);
  EXPECT_EQ(one("regex", R"(^\p{Lu})", "Émile"), 1.0);         // Unicode classes
  EXPECT_EQ(one("regex", "a", std::string("\xff\xfe")), 0.0);  // invalid UTF-8 does not match, does not throw
  EXPECT_EQ(one("contains", "because", "yes, because it is"), 1.0);
  EXPECT_EQ(one("contains", "Because", "yes, because it is"), 0.0);
  EXPECT_EQ(one("not-contains", "sorry", "here it is"), 1.0);
  EXPECT_EQ(one("not-contains", "sorry", "sorry, no"), 0.0);
}

TEST(RuleRewards, ExactAndNumericMatchReadTheAnswerTag) {
  EXPECT_EQ(extractedAnswer("<think>hmm</think><answer> Paris </answer>"), "Paris");
  EXPECT_EQ(extractedAnswer("<answer>1</answer> no, <answer>2</answer>"), "2");  // the last one
  EXPECT_EQ(extractedAnswer("  Paris\n"), "Paris");
  EXPECT_EQ(extractedAnswer("<answer>unclosed"), "unclosed");
  EXPECT_EQ(one("exact-match", "city", "<answer>Paris</answer>", {{"city", " Paris"}}), 1.0);
  EXPECT_EQ(one("exact-match", "city", "<answer>paris</answer>", {{"city", "Paris"}}), 0.0);
  EXPECT_EQ(one("numeric-match", "n", "so the total is 1,234.50", {{"n", "1234.5"}}), 1.0);
  EXPECT_EQ(one("numeric-match", "n", "<answer>-3</answer>", {{"n", "#### -3"}}), 1.0);
  EXPECT_EQ(one("numeric-match", "n", "3 apples, then 4", {{"n", "3"}}), 0.0);  // the last number counts
  EXPECT_EQ(one("numeric-match", "n", "no number", {{"n", "3"}}), 0.0);
}

TEST(RuleRewards, LengthIsOneInRangeAndFallsLinearlyOutside) {
  EXPECT_EQ(one("length", "10-20", std::string(15, 'x')), 1.0);
  EXPECT_EQ(one("length", "10-20", std::string(10, 'x')), 1.0);
  EXPECT_DOUBLE_EQ(one("length", "10-20", std::string(5, 'x')), 0.5);    // 5 short of 10
  EXPECT_DOUBLE_EQ(one("length", "10-20", std::string(25, 'x')), 0.75);  // 5 over 20
  EXPECT_EQ(one("length", "10-20", std::string(45, 'x')), 0.0);
  EXPECT_EQ(one("length", "3-", "éééé"), 1.0);  // characters, not bytes; no upper end
  EXPECT_DOUBLE_EQ(one("length", "3-4", "ééééé"), 0.75);
}

TEST(RuleRewards, TheTotalIsTheWeightedSumWithEachRulesScore) {
  RuleRewards rules(
      {{"format", "<answer>...</answer>", 1.0}, {"numeric-match", "answer", 2.0}, {"contains", "!", -0.5}});
  const RuleScores s = rules.score("<answer>42!</answer>", {{"answer", "42"}});
  EXPECT_EQ(s.scores, (std::vector<double>{1.0, 1.0, 1.0}));
  EXPECT_DOUBLE_EQ(s.total, 1.0 + 2.0 - 0.5);
  EXPECT_EQ(rules.fieldsRead(), std::vector<std::string>{"answer"});
  EXPECT_EQ(rules.rules()[0].label(), "format <answer>...</answer>");
}

TEST(RuleRewards, ParsedFromJsonOrItsText) {
  auto rules = parseRewardRules(Json::parse(R"([{"kind": "regex", "argument": "x"}, {"kind": "length", "arg": "1-2",
                                              "weight": 0.5}])"),
                                "rules.json");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[1].argument, "1-2");
  EXPECT_EQ(rules[1].weight, 0.5);
  EXPECT_EQ(rules[0].weight, 1.0);
  EXPECT_EQ(parseRewardRules(Json(R"([{"kind": "contains", "argument": "a"}])"), "flag").size(), 1u);
  try {
    parseRewardRules(Json(R"([{"kind": "contains"}])"), "--reward-rules");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--reward-rules rule 1: needs an \"argument\""), std::string::npos)
        << e.what();
  }
}

TEST(RuleRewards, ErrorsNameTheRule) {
  EXPECT_NE(configError({{"regex", "ok", 1}, {"regex", "(unclosed", 1}}).find("reward rule 2 (regex): cannot compile"),
            std::string::npos);
  EXPECT_NE(configError({{"smell", "x", 1}}).find("unknown kind; allowed: regex, format"), std::string::npos);
  EXPECT_NE(configError({{"length", "20-10", 1}}).find("give a range of characters"), std::string::npos);
  EXPECT_NE(configError({{"contains", "", 1}}).find("the argument is empty"), std::string::npos);
  try {
    RuleRewards({{"exact-match", "answer", 1}}).score("x", {}, "prompts.jsonl:3");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("prompts.jsonl:3: has no field `answer`"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace temper
