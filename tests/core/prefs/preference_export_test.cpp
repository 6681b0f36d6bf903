// Writing labelled pairs as TRL's files: every format read back by the importer gives the same
// (prompt, chosen, rejected), the verdict follows the votes (skips are not votes, no majority and
// low agreement are left out), rewrites replace chosen when asked, and KTO writes both-bad.
#include "core/prefs/preference_export.h"

#include <gtest/gtest.h>

#include <tuple>

#include "core/prefs/pair_verdict.h"
#include "core/prefs/preference_import.h"

namespace temper {
namespace {

PreferencePairRecord textPair(int64_t id, const std::string& prompt, const std::string& a, const std::string& b) {
  PreferencePairRecord p;
  p.id = id;
  p.prompt = prompt;
  p.completion_a = a;
  p.completion_b = b;
  return p;
}

PreferencePairRecord chatPair(int64_t id, const std::string& question, const std::string& a, const std::string& b) {
  PreferencePairRecord p;
  p.id = id;
  p.messages_json = messagesJson({{"system", "Answer briefly."}, {"user", question}});
  p.completion_a = a;
  p.completion_b = b;
  return p;
}

PreferenceLabelRecord vote(int64_t pair, const std::string& who, std::string_view choice,
                           const std::string& rewrite = "") {
  PreferenceLabelRecord l;
  l.pair_id = pair;
  l.labeller = who;
  l.choice = std::string(choice);
  l.rewrite = rewrite;
  return l;
}

// (prompt or messages, chosen, rejected): what a preference record means.
using Meaning = std::tuple<std::string, std::string, std::string>;

std::vector<Meaning> meanings(const std::vector<NewPreferencePair>& pairs) {
  std::vector<Meaning> out;
  for (const auto& p : pairs) out.emplace_back(p.prompt + p.messages_json, p.completion_a, p.completion_b);
  return out;
}

std::vector<NewPreferencePair> reimport(const PreferenceExport& exported) {
  std::vector<Record> records;
  for (size_t i = 0; i < exported.records.size(); ++i) {
    // Through text, as a file would carry them.
    records.push_back({Json::parse(exported.records[i].dump()), "out.jsonl:" + std::to_string(i + 1)});
  }
  return parsePreferenceRecords(records, {}).pairs;
}

const std::string kHhPrompt = "\n\nHuman: Is the sea salty?\n\nAssistant:";

std::vector<PreferencePairRecord> textPairs() {
  return {textPair(1, kHhPrompt, " Yes, it is.", " Yes, it is not."), textPair(2, "Translate 'chat':", " cat", " dog")};
}

std::vector<PreferencePairRecord> chatPairs() {
  return {chatPair(3, "2+2?", "4", "Five, I think."), chatPair(4, "Hi", "Hello!", "Go away.")};
}

// Pair 2 is won by B; the rest by A.
std::vector<PreferenceLabelRecord> sampleVotes() {
  return {vote(1, "ann", kPreferA), vote(2, "ann", kPreferB), vote(3, "ann", kPreferA), vote(4, "ann", kPreferA)};
}

std::vector<Meaning> expectedMeanings(const std::vector<PreferencePairRecord>& pairs) {
  std::vector<Meaning> out;
  for (const auto& p : pairs) {
    const bool b_wins = p.id == 2;
    out.emplace_back(p.prompt + p.messages_json, b_wins ? p.completion_b : p.completion_a,
                     b_wins ? p.completion_a : p.completion_b);
  }
  return out;
}

TEST(PreferenceExport, EveryFormatRoundTripsItsPairs) {
  const auto formats = {PreferenceExportFormat::Trl, PreferenceExportFormat::TrlImplicit,
                        PreferenceExportFormat::Messages, PreferenceExportFormat::Kto};
  for (auto format : formats) {
    PreferenceExportOptions options;
    options.format = format;
    const char* name = preferenceExportFormatName(format);
    for (const auto& pairs : {textPairs(), chatPairs()}) {
      // `messages` writes text prompts as conversations: only conversations come back as they were.
      if (format == PreferenceExportFormat::Messages && pairs[0].messages_json.empty()) continue;
      const auto exported = buildPreferenceExport(pairs, sampleVotes(), options);
      EXPECT_EQ(exported.exported, 2) << name;
      EXPECT_EQ(exported.records.size(), format == PreferenceExportFormat::Kto ? 4u : 2u) << name;
      EXPECT_EQ(exported.implicit_ambiguous, 0) << name;
      EXPECT_EQ(meanings(reimport(exported)), expectedMeanings(pairs)) << name;
    }
  }
}

TEST(PreferenceExport, ImplicitWritesThePromptInFrontAndCountsAmbiguousSplits) {
  PreferenceExportOptions options;
  options.format = PreferenceExportFormat::TrlImplicit;
  const auto exported = buildPreferenceExport(textPairs(), sampleVotes(), options);
  EXPECT_EQ(exported.records[0],
            Json({{"chosen", kHhPrompt + " Yes, it is."}, {"rejected", kHhPrompt + " Yes, it is not."}}));
  // Without a marker, answers that begin alike lose their shared words to the prompt: counted.
  const auto ambiguous =
      buildPreferenceExport({textPair(9, "Q:", " The cat", " The dog")}, {vote(9, "ann", kPreferA)}, options);
  EXPECT_EQ(ambiguous.implicit_ambiguous, 1);
}

TEST(PreferenceExport, ASetWithConversationsWritesEveryPromptAsOne) {
  auto pairs = textPairs();
  const auto chats = chatPairs();
  pairs.insert(pairs.end(), chats.begin(), chats.end());
  PreferenceExportOptions options;  // trl
  const auto exported = buildPreferenceExport(pairs, sampleVotes(), options);
  ASSERT_EQ(exported.records.size(), 4u);
  EXPECT_EQ(exported.prompts_as_messages, 2);
  EXPECT_EQ(exported.records[1]["prompt"], Json::parse(R"([{"role":"user","content":"Translate 'chat':"}])"));
  EXPECT_EQ(exported.records[1]["chosen"], Json::parse(R"([{"role":"assistant","content":" dog"}])"));
  const auto again = reimport(exported);  // one shape: the importer reads the whole file
  ASSERT_EQ(again.size(), 4u);
  EXPECT_EQ(Json::parse(again[1].messages_json), Json::parse(R"([{"role":"user","content":"Translate 'chat':"}])"));
  EXPECT_EQ(meanings({again[2], again[3]}), expectedMeanings(chats));
}

TEST(PreferenceExport, TheVerdictFollowsTheVotes) {
  const std::vector<PreferencePairRecord> pairs = {textPair(1, "Q1", "a1", "b1"), textPair(2, "Q2", "a2", "b2"),
                                                   textPair(3, "Q3", "a3", "b3"), textPair(4, "Q4", "a4", "b4"),
                                                   textPair(5, "Q5", "a5", "b5"), textPair(6, "Q6", "a6", "b6")};
  const std::vector<PreferenceLabelRecord> votes = {
      // 1: b by 2 of 3.
      vote(1, "ann", kPreferB), vote(1, "bob", kPreferB), vote(1, "cy", kPreferA),
      // 2: a vs b, one each: no majority.
      vote(2, "ann", kPreferA), vote(2, "bob", kPreferB),
      // 3: only a skip: unlabelled.
      vote(3, "ann", kPreferSkip),
      // 4: tie.
      vote(4, "ann", kPreferTie),
      // 5: a, with a skip that is no vote: 1 of 1.
      vote(5, "ann", kPreferA), vote(5, "bob", kPreferSkip),
      // 6: both bad.
      vote(6, "ann", kPreferNeither)};
  PreferenceExportOptions options;
  auto all = buildPreferenceExport(pairs, votes, options);
  EXPECT_EQ(all.exported, 2);
  EXPECT_EQ(all.records[0]["chosen"], "b1");
  EXPECT_EQ(all.records[1]["chosen"], "a5");
  EXPECT_EQ(all.no_majority, 1);
  EXPECT_EQ(all.unlabelled, 1);
  EXPECT_EQ(all.no_preference, 2);
  options.min_agreement = 0.7;  // pair 1 has 2/3
  auto strict = buildPreferenceExport(pairs, votes, options);
  EXPECT_EQ(strict.exported, 1);
  EXPECT_EQ(strict.below_agreement, 1);
  options.min_agreement = 0;
  options.labeller = "cy";
  auto cy = buildPreferenceExport(pairs, votes, options);
  EXPECT_EQ(cy.exported, 1);
  EXPECT_EQ(cy.records[0]["chosen"], "a1");
  options.labeller.clear();
  options.format = PreferenceExportFormat::Kto;
  auto kto = buildPreferenceExport(pairs, votes, options);
  EXPECT_EQ(kto.exported, 3);  // both-bad is two undesirable answers
  ASSERT_EQ(kto.records.size(), 6u);
  EXPECT_EQ(kto.records[4], Json::parse(R"({"prompt":"Q6","completion":"a6","label":false})"));
  EXPECT_EQ(kto.records[5], Json::parse(R"({"prompt":"Q6","completion":"b6","label":false})"));
}

TEST(PreferenceExport, RewritesReplaceChosenWhenAsked) {
  const std::vector<PreferencePairRecord> pairs = {textPair(1, "Q", "draft", "worse")};
  const std::vector<PreferenceLabelRecord> votes = {vote(1, "ann", kPreferA, "a better draft")};
  PreferenceExportOptions options;
  EXPECT_EQ(buildPreferenceExport(pairs, votes, options).records[0]["chosen"], "draft");
  options.use_rewrites = true;
  const auto exported = buildPreferenceExport(pairs, votes, options);
  EXPECT_EQ(exported.records[0]["chosen"], "a better draft");
  EXPECT_EQ(exported.records[0]["rejected"], "worse");
  EXPECT_EQ(exported.rewrites_used, 1);
}

TEST(PairVerdict, PluralityAgreementAndTheNewestRewrite) {
  std::vector<PreferenceLabelRecord> labels = {vote(1, "a1", kPreferA, "old"), vote(1, "a2", kPreferA, "new"),
                                               vote(1, "a3", kPreferB), vote(1, "a4", kPreferSkip)};
  labels[0].created_at = 1;
  labels[1].created_at = 2;
  const auto v = pairVerdict(labels);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->choice, "a");
  EXPECT_EQ(v->votes, 3);
  EXPECT_EQ(v->for_choice, 2);
  EXPECT_DOUBLE_EQ(v->agreement, 2.0 / 3.0);
  EXPECT_EQ(v->rewrite, "new");
  EXPECT_FALSE(pairVerdict({vote(1, "x", kPreferSkip)}));
}

}  // namespace
}  // namespace temper
