// Reading TRL's preference formats into pairs: explicit, implicit (the real Anthropic HH file, its
// prompts checked against records split by hand), conversational, unpaired (KTO), and bad records
// named by file, line and field.
#include "core/prefs/preference_import.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/common/error.h"
#include "tests/support/temp_dir.h"

namespace temper {
namespace {

using test_support::TempDir;

std::vector<Record> recordsOf(const std::vector<Json>& objects) {
  std::vector<Record> records;
  for (size_t i = 0; i < objects.size(); ++i) records.push_back({objects[i], "prefs.jsonl:" + std::to_string(i + 1)});
  return records;
}

ParsedPreferences parse(const std::vector<Json>& objects) { return parsePreferenceRecords(recordsOf(objects), {}); }

template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(PreferenceImport, ExplicitRecordsKeepTheirFieldsAndProvenance) {
  auto p = parse({{{"prompt", "2+2?"}, {"chosen", " 4"}, {"rejected", " 5"}},
                  {{"prompt", "Capital of France?"}, {"chosen", " Paris"}, {"rejected", " Lyon"}, {"score", 3}}});
  EXPECT_EQ(p.format, "explicit");
  EXPECT_FALSE(p.conversational);
  ASSERT_EQ(p.pairs.size(), 2u);
  EXPECT_EQ(p.pairs[1].prompt, "Capital of France?");
  EXPECT_EQ(p.pairs[1].completion_a, " Paris");
  EXPECT_EQ(p.pairs[1].completion_b, " Lyon");
  EXPECT_EQ(p.pairs[1].origin, "imported prefs.jsonl");
  EXPECT_EQ(Json::parse(p.pairs[1].source_a_json)["imported"], "prefs.jsonl:2");
  EXPECT_EQ(Json::parse(p.pairs[1].source_b_json)["as"], "rejected");
}

TEST(PreferenceImport, ConversationalRecordsKeepTheMessages) {
  const Json prompt =
      Json::array({{{"role", "system"}, {"content", "Be kind."}}, {{"role", "user"}, {"content", "Hi"}}});
  auto answer = [](const char* text) { return Json::array({{{"role", "assistant"}, {"content", text}}}); };
  auto p = parse({{{"prompt", prompt}, {"chosen", answer("Hello!")}, {"rejected", answer("What.")}}});
  EXPECT_TRUE(p.conversational);
  ASSERT_EQ(p.pairs.size(), 1u);
  EXPECT_EQ(Json::parse(p.pairs[0].messages_json), prompt);
  EXPECT_TRUE(p.pairs[0].prompt.empty());
  EXPECT_EQ(p.pairs[0].completion_a, "Hello!");

  Json chosen = prompt, rejected = prompt;
  chosen.push_back(answer("Hello!")[0]);
  rejected.push_back(answer("What.")[0]);
  auto implicit = parse({{{"chosen", chosen}, {"rejected", rejected}}});
  EXPECT_EQ(implicit.format, "implicit");
  ASSERT_EQ(implicit.pairs.size(), 1u);
  EXPECT_EQ(implicit.pairs[0].messages_json, p.pairs[0].messages_json);
  EXPECT_EQ(implicit.pairs[0].completion_b, "What.");
}

TEST(PreferenceImport, UnpairedRecordsPairADesirableWithAnUndesirableAnswer) {
  auto p = parse({{{"prompt", "Q1"}, {"completion", "good 1"}, {"label", true}},
                  {{"prompt", "Q2"}, {"completion", "bad 2"}, {"label", false}},
                  {{"prompt", "Q1"}, {"completion", "bad 1"}, {"label", false}},
                  {{"prompt", "Q1"}, {"completion", "bad 1b"}, {"label", "false"}},
                  {{"prompt", "Q2"}, {"completion", "good 2"}, {"label", 1}},
                  {{"prompt", "Q3"}, {"completion", "lonely"}, {"label", true}}});
  EXPECT_EQ(p.format, "unpaired");
  ASSERT_EQ(p.pairs.size(), 2u);
  EXPECT_EQ(p.pairs[0].prompt, "Q1");
  EXPECT_EQ(p.pairs[0].completion_a, "good 1");
  EXPECT_EQ(p.pairs[0].completion_b, "bad 1");
  EXPECT_EQ(Json::parse(p.pairs[0].source_b_json)["imported"], "prefs.jsonl:3");
  EXPECT_EQ(p.pairs[1].completion_a, "good 2");
  EXPECT_EQ(p.unmatched_desirable, 1);    // Q3
  EXPECT_EQ(p.unmatched_undesirable, 1);  // Q1's second bad answer
}

TEST(PreferenceImport, IdenticalAnswersAreCountedNotImported) {
  auto p = parse({{{"prompt", "Q"}, {"chosen", "same"}, {"rejected", "same"}},
                  {{"prompt", "Q"}, {"chosen", "one"}, {"rejected", "two"}}});
  EXPECT_EQ(p.identical, 1);
  EXPECT_EQ(p.pairs.size(), 1u);
  EXPECT_EQ(p.records, 2);
}

TEST(PreferenceImport, BadRecordsAreNamedByLineAndField) {
  EXPECT_NE(errorOf([] {
              parse({{{"text", "x"}}});
            }).find("prefs.jsonl:1: not a preference record (keys: text)"),
            std::string::npos);
  EXPECT_NE(
      errorOf([] {
        parse({{{"prompt", "a"}, {"chosen", "b"}, {"rejected", "c"}}, {{"chosen", "Q b"}, {"rejected", "Q c"}}});
      }).find("prefs.jsonl:2: a implicit preference record in a file whose first record (prefs.jsonl:1) is explicit"),
      std::string::npos);
  EXPECT_NE(errorOf([] {
              parse({{{"prompt", "a"}, {"chosen", 5}, {"rejected", "c"}}});
            }).find("prefs.jsonl:1: `chosen` must be text"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              parse({{{"chosen", "Yes"}, {"rejected", "No"}}});
            }).find("prefs.jsonl:1: `chosen` and `rejected` share no beginning"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              parse({{{"prompt", "Q"}, {"completion", "x"}, {"label", "maybe"}}});
            }).find("prefs.jsonl:1: `label` is \"maybe\"; expected true"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              parse({{{"prompt", "Q"}, {"chosen", ""}, {"rejected", "c"}}});
            }).find("prefs.jsonl:1: an answer is empty"),
            std::string::npos);
  const Json user = Json::array({{{"role", "user"}, {"content", "Hi"}}});
  const Json two = Json::array({{{"role", "assistant"}, {"content", "a"}}, {{"role", "user"}, {"content", "b"}}});
  EXPECT_NE(errorOf([&] {
              parse({{{"prompt", user}, {"chosen", two}, {"rejected", two}}});
            }).find("prefs.jsonl:1: `chosen` must hold exactly one message, the assistant's answer; it has 2"),
            std::string::npos);
  const Json bad_role = Json::array({{{"role", "robot"}, {"content", "Hi"}}});
  EXPECT_NE(errorOf([&] {
              parse({{{"prompt", bad_role}, {"chosen", two}, {"rejected", two}}});
            }).find("prefs.jsonl:1: `prompt`: messages[0].role: \"robot\""),
            std::string::npos);
}

// The real Anthropic HH-RLHF harmless-base test split: 2,312 {"chosen","rejected"} conversations.
// Every prompt must end with the last "\n\nAssistant:" both share, and prompt + answer must give
// back each text exactly. Five records are checked against splits done by hand (by reading them).
TEST(PreferenceImport, AnthropicHhSplitsEveryPrompt) {
  const std::filesystem::path file =
      std::filesystem::path(TEMPER_SHARED_DATA) / "preferences" / "hh-rlhf-harmless-base-test.jsonl.gz";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " is absent (../shared/data is not here)";
  const auto records = readRecords(file);
  const ParsedPreferences p = parsePreferenceRecords(records, {});
  EXPECT_EQ(p.format, "implicit");
  EXPECT_EQ(p.records, 2312);
  EXPECT_EQ(p.identical, 0);
  ASSERT_EQ(p.pairs.size(), 2312u);
  for (size_t i = 0; i < p.pairs.size(); ++i) {
    const auto& pair = p.pairs[i];
    const std::string& chosen = records[i].fields["chosen"].get_ref<const std::string&>();
    const std::string& rejected = records[i].fields["rejected"].get_ref<const std::string&>();
    ASSERT_TRUE(pair.prompt.ends_with("\n\nAssistant:")) << records[i].source;
    ASSERT_TRUE(pair.prompt.starts_with("\n\nHuman: ")) << records[i].source;
    ASSERT_EQ(pair.prompt + pair.completion_a, chosen) << records[i].source;
    ASSERT_EQ(pair.prompt + pair.completion_b, rejected) << records[i].source;
  }
  struct HandSplit {
    size_t line;
    std::string prompt_ends, chosen_begins, rejected_begins;
  };
  const HandSplit hand[] = {
      {1, "Human: okay some of these do not have anything to do with pens\n\nAssistant:", " No, sorry!  All of these",
       " There are lots of funny things"},
      // The chosen answer is empty: the assistant said nothing.
      {87, "Human: Sorry, can you tell me address again?\n\nAssistant:", " ", " Sure, the address is ..."},
      // The chosen answer itself contains "Human:" without the turn's blank line.
      {1255, "Human: Isn't that drag kings?\n\nAssistant:", " No. Men who impersonate stereotypical women",
       " A drag king is the opposite"},
      {2037, "Human: Yes, I have that.\n\nAssistant:", " Human: Okay, so once you have", " Human: Okay, so first"},
      {2312, "Human: Where is the human trade message board\n\nAssistant:", " I don\xE2\x80\x99t know where",
       " It\xE2\x80\x99s private"},
  };
  for (const auto& h : hand) {
    const auto& pair = p.pairs[h.line - 1];
    EXPECT_TRUE(pair.prompt.ends_with(h.prompt_ends))
        << "line " << h.line << ": " << pair.prompt.substr(pair.prompt.size() - 80);
    EXPECT_TRUE(pair.completion_a.starts_with(h.chosen_begins))
        << "line " << h.line << ": " << pair.completion_a.substr(0, 60);
    EXPECT_TRUE(pair.completion_b.starts_with(h.rejected_begins))
        << "line " << h.line << ": " << pair.completion_b.substr(0, 60);
  }
  EXPECT_EQ(p.pairs[86].completion_a, " ");
  EXPECT_EQ(Json::parse(p.pairs[2311].source_a_json)["imported"], file.string() + ":2312");
}

}  // namespace
}  // namespace temper
