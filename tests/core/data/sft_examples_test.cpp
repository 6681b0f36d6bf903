// Which tokens carry the SFT loss, for every format, checked on a byte tokenizer whose ids can be
// worked out by hand (tests/support/byte_tokenizer.h).
#include "core/data/sft_examples.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "tests/support/byte_tokenizer.h"

namespace temper {
namespace {

using test_support::ByteTokenizer;

const ByteTokenizer kTokenizer;

std::vector<Record> records(const std::vector<Json>& fields) {
  std::vector<Record> out;
  for (size_t i = 0; i < fields.size(); ++i) out.push_back({fields[i], "d.jsonl:" + std::to_string(i + 1)});
  return out;
}

// The text of the tokens that carry loss.
std::string trainedText(const TokenizedExample& e) {
  std::vector<int> ids;
  for (size_t i = 0; i < e.ids.size(); ++i) {
    if (e.loss_mask[i]) ids.push_back(e.ids[i]);
  }
  return kTokenizer.decode(ids);
}

std::string promptText(const TokenizedExample& e) {
  std::vector<int> ids;
  for (size_t i = 0; i < e.ids.size() && !e.loss_mask[i]; ++i) ids.push_back(e.ids[i]);
  return kTokenizer.decode(ids);
}

template <typename F>
std::string errorText(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SftExamples, PromptCompletionTrainsTheCompletionAndEos) {
  auto built = buildSftExamples(records({{{"prompt", "2+2="}, {"completion", "4"}}}), kTokenizer, {});
  ASSERT_EQ(built.examples.size(), 1u);
  const auto& e = built.examples[0];
  EXPECT_EQ(e.ids, (std::vector<int>{'2' + 4, '+' + 4, '2' + 4, '=' + 4, '4' + 4, 3}));
  EXPECT_EQ(e.loss_mask, (std::vector<char>{0, 0, 0, 0, 1, 1}));
  EXPECT_EQ(built.target_tokens, 2);
  EXPECT_EQ(e.source, "d.jsonl:1");
  EXPECT_EQ(std::string(dataFormatName(built.format)), "prompt-completion");
}

TEST(SftExamples, AlpacaUsesTheStanfordPrompt) {
  auto built = buildSftExamples(records({{{"instruction", "Add."}, {"input", "2 and 2"}, {"output", "4"}},
                                         {{"instruction", "Say hi."}, {"input", ""}, {"output", "hi"}}}),
                                kTokenizer, {});
  ASSERT_EQ(built.examples.size(), 2u);
  EXPECT_EQ(promptText(built.examples[0]),
            "Below is an instruction that describes a task, paired with an input that provides further context. Write "
            "a response that appropriately completes the request.\n\n### Instruction:\nAdd.\n\n### Input:\n2 and "
            "2\n\n### Response:\n");
  EXPECT_EQ(trainedText(built.examples[0]), "4");
  EXPECT_EQ(promptText(built.examples[1]),
            "Below is an instruction that describes a task. Write a response that appropriately completes the "
            "request.\n\n### Instruction:\nSay hi.\n\n### Response:\n");
  EXPECT_EQ(trainedText(built.examples[1]), "hi");
}

TEST(SftExamples, TextSplitsAfterTheResponseTemplate) {
  SftOptions options;
  options.response_template = "\nA:";
  auto built = buildSftExamples(
      records({{{"text", "table: t\nQ: how many?\nA: SELECT COUNT(x) FROM t"}}, {{"text", "no answer marker here"}}}),
      kTokenizer, options);
  ASSERT_EQ(built.examples.size(), 1u);
  EXPECT_EQ(promptText(built.examples[0]), "table: t\nQ: how many?\nA:");
  EXPECT_EQ(trainedText(built.examples[0]), " SELECT COUNT(x) FROM t");
  EXPECT_EQ(built.dropped_no_target, 1);
  EXPECT_EQ(built.records, 2);
}

TEST(SftExamples, MessagesTrainEveryAssistantTurnThroughItsEndMarker) {
  SftOptions options;
  options.chat = chatTemplateByName("chatml", "", "");
  Json messages = Json::array({{{"role", "user"}, {"content", "hi"}},
                               {{"role", "assistant"}, {"content", "yo"}},
                               {{"role", "user"}, {"content", "bye"}},
                               {{"role", "assistant"}, {"content", "ciao"}}});
  auto built = buildSftExamples(records({{{"messages", messages}}}), kTokenizer, options);
  ASSERT_EQ(built.examples.size(), 1u);
  const auto& e = built.examples[0];
  // Every trained byte lies inside an assistant turn: "yo<|im_end|>" and "ciao<|im_end|>".
  std::string trained = trainedText(e);
  EXPECT_NE(trained.find("yo<|im_end|>"), std::string::npos) << trained;
  EXPECT_NE(trained.find("ciao<|im_end|>"), std::string::npos) << trained;
  EXPECT_EQ(trained.find("hi"), std::string::npos) << trained;
  EXPECT_EQ(trained.find("bye"), std::string::npos) << trained;
  EXPECT_EQ(trained.find("assistant"), std::string::npos) << "the role header is prompt: " << trained;
  EXPECT_EQ(promptText(e).rfind("<|im_start|>", 0), 0u) << promptText(e);
}

TEST(SftExamples, LongExamplesAreTruncatedOrDroppedAndCounted) {
  SftOptions options;
  options.max_tokens = 6;
  auto rows = records({{{"prompt", "abc"}, {"completion", "defgh"}},  // 9 tokens: cut to 6, keeps "def"
                       {{"prompt", "abcdefg"}, {"completion", "h"}},  // the completion is cut away
                       {{"prompt", "a"}, {"completion", "b"}}});      // fits
  auto built = buildSftExamples(rows, kTokenizer, options);
  EXPECT_EQ(built.truncated, 1);
  EXPECT_EQ(built.dropped_no_target, 1);
  ASSERT_EQ(built.examples.size(), 2u);
  EXPECT_EQ(built.examples[0].ids.size(), 6u);
  EXPECT_EQ(trainedText(built.examples[0]), "def");
  options.drop_long = true;
  auto dropped = buildSftExamples(rows, kTokenizer, options);
  EXPECT_EQ(dropped.dropped_long, 2);
  EXPECT_EQ(dropped.examples.size(), 1u);
  EXPECT_EQ(dropped.summary().at("dropped_long"), 2);
}

TEST(SftExamples, PackingKeepsEveryTargetOnce) {
  std::vector<Json> rows;
  for (int i = 0; i < 7; ++i) rows.push_back({{"prompt", "q" + std::to_string(i) + "?"}, {"completion", "answer"}});
  auto built = buildSftExamples(records(rows), kTokenizer, {});
  int64_t before = 0, after = 0;
  for (const auto& e : built.examples) {
    for (size_t i = 1; i < e.loss_mask.size(); ++i) before += e.loss_mask[i];
  }
  size_t stream = 0;
  for (const auto& e : built.examples) stream += e.ids.size();
  auto packed = packExamples(built.examples, 16);
  for (const auto& p : packed) {
    EXPECT_LE(p.ids.size(), 16u);
    for (size_t i = 1; i < p.loss_mask.size(); ++i) after += p.loss_mask[i];
  }
  // Stream targets: every mask bit but the very first token's (no left context at the start).
  int64_t stream_targets = before;
  for (size_t k = 1; k < built.examples.size(); ++k) stream_targets += built.examples[k].loss_mask[0];
  EXPECT_EQ(after, stream_targets);
  EXPECT_EQ(packed.size(), (stream - 1 + 14) / 15);
}

TEST(SftExamples, RefusesFormatsAndSettingsItCannotTrain) {
  EXPECT_NE(errorText([] {
              buildSftExamples(records({{{"text", "a"}, {"label", "x"}}}), kTokenizer, {});
            }).find("`classify` method"),
            std::string::npos);
  EXPECT_NE(errorText([] {
              buildSftExamples(records({{{"prompt", "p"}, {"chosen", "a"}, {"rejected", "b"}}}), kTokenizer, {});
            }).find("reward-model or dpo"),
            std::string::npos);
  EXPECT_NE(errorText([] {
              buildSftExamples(records({{{"prompt", "p"}, {"answer", "4"}}}), kTokenizer, {});
            }).find("prompt-only records are for the `grpo or rloo` method"),
            std::string::npos);
  EXPECT_NE(errorText([] {
              buildSftExamples(records({{{"text", "a"}}}), kTokenizer, {});
            }).find("response-template"),
            std::string::npos);
  EXPECT_NE(errorText([] {
              buildSftExamples(records({{{"messages", Json::array()}}}), kTokenizer, {});
            }).find("chat-template"),
            std::string::npos);
  EXPECT_NE(errorText([] {
              buildSftExamples(
                  records({{{"prompt", "a"}, {"completion", "b"}}, {{"prompt", "a"}, {"completion", 5.5}}}), kTokenizer,
                  {});
            }).find("d.jsonl:2: field `completion` must be a string"),
            std::string::npos);
}

}  // namespace
}  // namespace temper
