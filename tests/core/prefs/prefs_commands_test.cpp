// `temper prefs` against a real store in a temporary workspace: import (one transaction, nothing
// half-imported, a second import adds nothing), export then re-import gives the same pairs, the HH
// file's count, and stats from labels of two people.
#include "core/prefs/prefs_commands.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/store/store.h"
#include "tests/core/prefs/prefs_files.h"
#include "tests/support/temp_dir.h"

namespace temper {
namespace {

using test_support::kExplicitPairs;
using test_support::TempDir;
using test_support::writeLines;

PrefsImportRequest importRequest(const TempDir& dir, const std::filesystem::path& file, const std::string& set) {
  PrefsImportRequest request;
  request.workspace = (dir.path() / "ws").string();
  request.file = file;
  request.set = set;
  return request;
}

TEST(PrefsCommands, ImportIsOneTransactionAndASecondImportAddsNothing) {
  TempDir dir("prefs");
  const auto file = writeLines(dir, "prefs.jsonl", kExplicitPairs);
  auto first = importPreferenceFile(importRequest(dir, file, "colours"));
  EXPECT_TRUE(first.imported.created_set);
  EXPECT_EQ(first.imported.pairs.added, 3);
  EXPECT_EQ(first.imported.labels_added, 3);
  auto again = importPreferenceFile(importRequest(dir, file, "colours"));
  EXPECT_FALSE(again.imported.created_set);
  EXPECT_EQ(again.imported.pairs.added, 0);
  EXPECT_EQ(again.imported.pairs.duplicates, 3);
  EXPECT_EQ(again.imported.labels_added, 0);
  EXPECT_EQ(again.imported.labels_already_there, 3);
  EXPECT_EQ(again.toJson()["duplicates"], 3);

  const std::string workspace = (dir.path() / "ws").string();
  const auto list = listPreferenceSets(workspace);
  ASSERT_EQ(list.sets.size(), 1u);
  EXPECT_EQ(list.sets[0].pairs, 3);
  EXPECT_EQ(list.sets[0].labelled_pairs, 3);
  EXPECT_EQ(list.sets[0].prompts_source, "imported " + file.string());

  // A bad third record: nothing of the file, and no new set.
  auto bad_lines = kExplicitPairs;
  bad_lines.insert(bad_lines.begin(), R"({"prompt": "New?", "chosen": " Yes", "rejected": " No"})");
  bad_lines[3] = R"({"prompt": "Say hi.", "chosen": ["Hi"], "rejected": " No."})";
  const auto bad = writeLines(dir, "bad.jsonl", bad_lines);
  for (const char* set : {"colours", "fresh"}) {
    try {
      importPreferenceFile(importRequest(dir, bad, set));
      FAIL() << "a bad record was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("bad.jsonl:4: `chosen` must be text"), std::string::npos) << e.what();
    }
  }
  const auto after = listPreferenceSets(workspace);
  ASSERT_EQ(after.sets.size(), 1u);
  EXPECT_EQ(after.sets[0].pairs, 3);
}

TEST(PrefsCommands, ExportThenImportGivesTheSamePairs) {
  TempDir dir("prefs");
  const std::string workspace = (dir.path() / "ws").string();
  importPreferenceFile(importRequest(dir, writeLines(dir, "prefs.jsonl", kExplicitPairs), "original"));
  for (const char* format : {"trl", "trl-implicit", "kto"}) {
    PrefsExportRequest request;
    request.workspace = workspace;
    request.set = "original";
    request.out = dir.path() / (std::string(format) + ".jsonl");
    request.options.format = *parsePreferenceExportFormat(format);
    const auto exported = exportPreferenceSet(request);
    EXPECT_EQ(exported.exported.exported, 3) << format;
    const auto back = importPreferenceFile(importRequest(dir, request.out, std::string("back-") + format));
    EXPECT_EQ(back.imported.pairs.added, 3) << format;
    Store store = Store::openReadOnly(std::filesystem::path(workspace) / "temper.db");
    const auto original = store.preferencePairs(store.findPreferenceSet("original")->id);
    const auto copy = store.preferencePairs(back.imported.set_id);
    ASSERT_EQ(copy.size(), original.size()) << format;
    for (size_t i = 0; i < copy.size(); ++i) {
      EXPECT_EQ(copy[i].prompt, original[i].prompt) << format;
      EXPECT_EQ(copy[i].completion_a, original[i].completion_a) << format;
      EXPECT_EQ(copy[i].completion_b, original[i].completion_b) << format;
    }
  }
  PrefsExportRequest bad;
  bad.workspace = workspace;
  bad.set = "nope";
  bad.out = dir.path() / "x.jsonl";
  try {
    exportPreferenceSet(bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no preference set named `nope` (sets: original, back-trl"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(bad.out));
}

TEST(PrefsCommands, StatsFromTwoLabellers) {
  TempDir dir("prefs");
  const std::string workspace = (dir.path() / "ws").string();
  auto request = importRequest(dir, writeLines(dir, "prefs.jsonl", kExplicitPairs), "s");
  request.labeller = "ann";
  const auto imported = importPreferenceFile(request);
  {
    Store store = Store::open(std::filesystem::path(workspace) / "temper.db");
    const auto pairs = store.preferencePairs(imported.imported.set_id);
    const char* bob[] = {"a", "b", "a"};
    for (size_t i = 0; i < pairs.size(); ++i) {
      NewPreferenceLabel label;
      label.pair_id = pairs[i].id;
      label.labeller = "bob";
      label.choice = bob[i];
      label.shown_left = "b";
      label.seconds_spent = 3.0 + static_cast<double>(i);
      store.addPreferenceLabel(label);
    }
  }
  const PreferenceStats stats = preferenceSetStats(workspace, "s");
  EXPECT_EQ(stats.multiply_labelled, 3);
  EXPECT_NEAR(stats.raw_agreement, 2.0 / 3.0, 1e-12);
  ASSERT_EQ(stats.kappas.size(), 1u);
  // ann always a; bob a, b, a: p_o = 2/3, p_e = 1 * 2/3, kappa = 0.
  EXPECT_NEAR(stats.kappas[0].kappa, 0.0, 1e-12);
  EXPECT_EQ(stats.position.decided, 3);  // bob's votes (the import's side is unknown)
  EXPECT_EQ(stats.position.left_wins, 1);
  EXPECT_DOUBLE_EQ(stats.mean_seconds, 4.0);
  const auto show = showPreferenceSet(workspace, "s", 2);
  ASSERT_EQ(show.pairs.size(), 2u);
  EXPECT_EQ(show.labels.size(), 4u);
  EXPECT_EQ(show.toJson()["first_pairs"][1]["labels"].size(), 2u);
}

TEST(PrefsCommands, TheHhFileImportsWithItsCount) {
  const std::filesystem::path file =
      std::filesystem::path(TEMPER_SHARED_DATA) / "preferences" / "hh-rlhf-harmless-base-test.jsonl.gz";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " is absent (../shared/data is not here)";
  TempDir dir("prefs");
  const auto result = importPreferenceFile(importRequest(dir, file, "hh"));
  EXPECT_EQ(result.parsed.records, 2312);
  EXPECT_EQ(result.imported.pairs.added, 2312);
  EXPECT_EQ(result.imported.labels_added, 2312);
  EXPECT_EQ(result.toJson()["format"], "implicit");
}

}  // namespace
}  // namespace temper
