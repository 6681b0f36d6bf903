// The preference methods' `--data` (core/prefs/preference_training_data.h) against a real store in
// a temporary workspace and real files: a set's verdicts decide chosen and rejected, the same
// filters as `temper prefs export` apply, and what is left out is counted.
#include "core/prefs/preference_training_data.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/common/workspace_paths.h"
#include "core/prefs/prefs_commands.h"
#include "core/store/store.h"
#include "tests/core/prefs/prefs_files.h"
#include "tests/support/temp_dir.h"

namespace temper {
namespace {

using test_support::kExplicitPairs;
using test_support::TempDir;
using test_support::writeLines;

class PreferenceTrainingData : public ::testing::Test {
 protected:
  void SetUp() override {
    workspace = (dir.path() / "ws").string();
    PrefsImportRequest request;
    request.workspace = workspace;
    request.file = writeLines(dir, "prefs.jsonl", kExplicitPairs);
    request.set = "colours";
    importPreferenceFile(request);
  }
  /// A second labeller's vote on the pair whose prompt is `prompt`.
  void vote(const std::string& prompt, const std::string& labeller, const std::string& choice) {
    Store store = Store::open(resolveWorkspace(workspace).database());
    const auto set = store.findPreferenceSet("colours");
    for (const auto& pair : store.preferencePairs(set->id)) {
      if (pair.prompt != prompt) continue;
      NewPreferenceLabel label;
      label.pair_id = pair.id;
      label.labeller = labeller;
      label.choice = choice;
      store.addPreferenceLabel(label);
    }
  }
  PreferenceTrainingPairs load(double min_agreement = 0, const std::string& labeller = "") {
    PreferenceDataRequest request;
    request.data = "set:colours";
    request.workspace = workspace;
    request.min_agreement = min_agreement;
    request.labeller = labeller;
    return loadPreferenceTrainingPairs(request);
  }
  TempDir dir{"prefs-training"};
  std::string workspace;
};

TEST_F(PreferenceTrainingData, ASetGivesItsLabelledPairsWithTheChosenAnswerFirst) {
  auto pairs = load();
  EXPECT_EQ(pairs.name, "set colours");
  ASSERT_EQ(pairs.pairs.size(), 3u);
  for (const auto& pair : pairs.pairs) {
    if (pair.prompt == "2+2?") {
      EXPECT_EQ(pair.completion_a, " 4");
      EXPECT_EQ(pair.completion_b, " 22");
    }
  }
  EXPECT_EQ(pairs.selection["exported"], 3);
}

TEST_F(PreferenceTrainingData, AVoteTheOtherWayTurnsThePairAroundOrLeavesItOutAsNoMajority) {
  // Two labellers disagree on "2+2?": no majority, left out and counted.
  vote("2+2?", "bob", "b");
  auto pairs = load();
  EXPECT_EQ(pairs.pairs.size(), 2u);
  EXPECT_EQ(pairs.selection["no_majority"], 1);
  // A third vote for b: b is chosen now (2 of 3 votes), and min-agreement 0.7 leaves it out.
  vote("2+2?", "carol", "b");
  auto turned = load();
  ASSERT_EQ(turned.pairs.size(), 3u);
  for (const auto& pair : turned.pairs) {
    if (pair.prompt == "2+2?") {
      EXPECT_EQ(pair.completion_a, " 22");
    }
  }
  auto agreed = load(0.7);
  EXPECT_EQ(agreed.pairs.size(), 2u);
  EXPECT_EQ(agreed.selection["below_agreement"], 1);
  // Only the dataset's labels: the file's verdicts again.
  auto dataset_only = load(0, "dataset");
  ASSERT_EQ(dataset_only.pairs.size(), 3u);
  for (const auto& pair : dataset_only.pairs) {
    if (pair.prompt == "2+2?") {
      EXPECT_EQ(pair.completion_a, " 4");
    }
  }
}

TEST_F(PreferenceTrainingData, TiesAreLeftOutAndCountedAndASetWithNothingToTrainOnIsAnError) {
  vote("2+2?", "bob", "a");
  vote("Say hi.", "bob", "tie");
  auto pairs = load(0, "bob");
  ASSERT_EQ(pairs.pairs.size(), 1u);
  EXPECT_EQ(pairs.pairs[0].prompt, "2+2?");
  EXPECT_EQ(pairs.selection["no_preference"], 1);
  EXPECT_EQ(pairs.selection["unlabelled"], 1);
  try {
    load(0, "nobody");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidConfig);
    EXPECT_NE(std::string(e.what()).find("set colours has no pair with a verdict"), std::string::npos) << e.what();
  }
}

TEST_F(PreferenceTrainingData, AFileIsReadInItsTrlFormat) {
  PreferenceDataRequest request;
  request.data =
      writeLines(
          dir, "hh.jsonl",
          {R"({"chosen": "\n\nHuman: Hi\n\nAssistant: Hello!", "rejected": "\n\nHuman: Hi\n\nAssistant: Go away."})"})
          .string();
  auto pairs = loadPreferenceTrainingPairs(request);
  ASSERT_EQ(pairs.pairs.size(), 1u);
  EXPECT_EQ(pairs.pairs[0].prompt, "\n\nHuman: Hi\n\nAssistant:");
  EXPECT_EQ(pairs.pairs[0].completion_a, " Hello!");
  EXPECT_EQ(pairs.name, "hh.jsonl");
  request.min_agreement = 0.5;
  EXPECT_THROW(loadPreferenceTrainingPairs(request), Error);
}

TEST_F(PreferenceTrainingData, AnUnknownSetNamesTheSetsThereAre) {
  PreferenceDataRequest request;
  request.data = "set:nope";
  request.workspace = workspace;
  try {
    loadPreferenceTrainingPairs(request);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidConfig);
    EXPECT_NE(std::string(e.what()).find("sets: colours"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace temper
