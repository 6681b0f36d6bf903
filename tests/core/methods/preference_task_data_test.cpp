// The pairs a preference method trains and validates on (core/methods/preference/
// preference_task_data.h): the held-out split is the record methods' split (seeded, stable),
// val-data replaces it, the summary counts both, and a split left empty is an error naming why.
#include "core/methods/preference/preference_task_data.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "tests/core/prefs/prefs_files.h"
#include "tests/support/byte_tokenizer.h"

namespace temper {
namespace {

using test_support::ByteTokenizer;
using test_support::TempDir;
using test_support::writeLines;

std::vector<std::string> numberedPairs(int count) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    lines.push_back(R"({"prompt": "Q)" + std::to_string(i) + R"(?", "chosen": " yes", "rejected": " no"})");
  }
  return lines;
}

PreferenceTaskDataSetup setupFor(const std::filesystem::path& file) {
  PreferenceTaskDataSetup s;
  s.train.data = file.string();
  s.val_fraction = 0.2;
  s.seed = 7;
  s.max_tokens = 64;
  return s;
}

std::vector<std::vector<int>> promptsOf(const PreferenceExamples& examples) {
  std::vector<std::vector<int>> out;
  for (const auto& e : examples.examples) out.push_back(e.prompt);
  return out;
}

TEST(PreferenceTaskData, HoldsOutASeededShareAndCountsBothSplits) {
  TempDir dir("pref-task-data");
  const auto file = writeLines(dir, "pairs.jsonl", numberedPairs(10));
  ByteTokenizer tokenizer;
  const PreferenceTaskData data = loadPreferenceTaskData(setupFor(file), tokenizer);
  EXPECT_EQ(data.train.examples.size(), 8u);
  EXPECT_EQ(data.val.examples.size(), 2u);
  EXPECT_EQ(data.summary.at("format"), "preference");
  EXPECT_EQ(data.summary.at("train").at("examples"), 8);
  EXPECT_EQ(data.summary.at("validation").at("examples"), 2);
  // The text encoding of pair_examples: prompt bytes | answer bytes + eos (ByteTokenizer: byte + 4).
  EXPECT_EQ(data.val.examples[0].chosen, (std::vector<int>{' ' + 4, 'y' + 4, 'e' + 4, 's' + 4, 3}));
  // The same seed holds out the same pairs; another seed other ones; no pair is in both splits.
  EXPECT_EQ(promptsOf(loadPreferenceTaskData(setupFor(file), tokenizer).val), promptsOf(data.val));
  auto other_seed = setupFor(file);
  other_seed.seed = 8;
  EXPECT_NE(promptsOf(loadPreferenceTaskData(other_seed, tokenizer).val), promptsOf(data.val));
  for (const auto& held : promptsOf(data.val)) {
    for (const auto& trained : promptsOf(data.train)) EXPECT_NE(held, trained);
  }
}

TEST(PreferenceTaskData, ValDataReplacesTheSplit) {
  TempDir dir("pref-task-val");
  const auto file = writeLines(dir, "pairs.jsonl", numberedPairs(10));
  const auto val = writeLines(dir, "val.jsonl", numberedPairs(3));
  auto setup = setupFor(file);
  setup.val_data = val.string();
  ByteTokenizer tokenizer;
  const PreferenceTaskData data = loadPreferenceTaskData(setup, tokenizer);
  EXPECT_EQ(data.train.examples.size(), 10u);
  EXPECT_EQ(data.val.examples.size(), 3u);
  EXPECT_TRUE(data.summary.at("selection").contains("validation"));
}

TEST(PreferenceTaskData, AnEmptySplitSaysWhatWasDropped) {
  TempDir dir("pref-task-empty");
  // Every prompt fills max_tokens: no answer token would be left, so every pair is dropped.
  auto setup = setupFor(writeLines(dir, "pairs.jsonl", numberedPairs(4)));
  setup.max_tokens = 3;
  ByteTokenizer tokenizer;
  try {
    loadPreferenceTaskData(setup, tokenizer);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("have a prompt that fills ctx"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace temper
