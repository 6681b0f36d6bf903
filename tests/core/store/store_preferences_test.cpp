// Preference sets, pairs and labels in the store: every field round-trips, duplicates are counted
// and not stored, a bad batch stores nothing, votes and undos are new rows that supersede (nothing
// is overwritten), several labellers per pair, the schema-2 placeholder's rows survive the
// migration, and labels written while another process adds pairs are all kept.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>

#include "core/store/schema.h"
#include "core/store/store.h"
#include "store_test_support.h"

using namespace temper;
using namespace temper::store_test;

namespace {

NewPreferencePair pair(const std::string& prompt, const std::string& a, const std::string& b) {
  NewPreferencePair p;
  p.prompt = prompt;
  p.completion_a = a;
  p.completion_b = b;
  p.origin = "test";
  return p;
}

NewPreferenceLabel vote(int64_t pair_id, const std::string& labeller, std::string_view choice) {
  NewPreferenceLabel label;
  label.pair_id = pair_id;
  label.labeller = labeller;
  label.choice = std::string(choice);
  label.shown_left = "b";
  label.seconds_spent = 2.5;
  return label;
}

}  // namespace

TEST(StorePreferences, SetsAndPairsKeepEveryField) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  const int64_t set = store.createPreferenceSet(NewPreferenceSet{.name = "helpful",
                                                                 .description = "which answer helps more",
                                                                 .guidelines = "prefer the correct one",
                                                                 .prompts_source = "prompts.txt",
                                                                 .generation_json = R"({"max_new_tokens":64})"});
  NewPreferencePair chat;
  chat.messages_json = R"([{"role":"user","content":"hi"}])";
  chat.completion_a = "Hello!";
  chat.completion_b = "Go away.";
  chat.source_a_json = R"({"model":"runs/x/final","temperature":0.7,"seed":1})";
  chat.seconds_a = 1.5;
  chat.tokens_per_s_b = 40.0;
  chat.origin = "generated";
  const AddedPreferencePairs added = store.addPreferencePairs(set, {pair("2+2?", "4", "5"), chat});
  EXPECT_EQ(added.added, 2);
  EXPECT_EQ(added.duplicates, 0);
  ASSERT_EQ(added.ids.size(), 2U);

  const auto found = store.findPreferenceSet("helpful");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, set);
  EXPECT_EQ(found->guidelines, "prefer the correct one");
  EXPECT_EQ(found->prompts_source, "prompts.txt");
  EXPECT_EQ(found->generation_json, R"({"max_new_tokens":64})");
  EXPECT_GT(found->created_at, 0);
  EXPECT_EQ(found->pairs, 2);
  EXPECT_EQ(found->labelled_pairs, 0);
  EXPECT_FALSE(store.findPreferenceSet("other"));

  const auto pairs = store.preferencePairs(set);
  ASSERT_EQ(pairs.size(), 2U);
  EXPECT_EQ(pairs[0].id, added.ids[0]);
  EXPECT_EQ(pairs[0].prompt, "2+2?");
  EXPECT_EQ(pairs[0].source_a_json, "{}");  // "" is stored as an empty object
  EXPECT_TRUE(std::isnan(pairs[0].seconds_a));
  EXPECT_EQ(pairs[1].messages_json, chat.messages_json);
  EXPECT_EQ(pairs[1].completion_b, "Go away.");
  EXPECT_EQ(pairs[1].source_a_json, chat.source_a_json);
  EXPECT_DOUBLE_EQ(pairs[1].seconds_a, 1.5);
  EXPECT_DOUBLE_EQ(pairs[1].tokens_per_s_b, 40.0);
  EXPECT_EQ(pairs[1].origin, "generated");
  EXPECT_EQ(pairs[1].set_id, set);
  EXPECT_EQ(store.preferencePair(pairs[1].id)->completion_a, "Hello!");
  EXPECT_FALSE(store.preferencePair(pairs[1].id + 100));
}

TEST(StorePreferences, NamesAreUniqueAndBadInputNamesTheProblem) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  const int64_t set = store.createPreferenceSet({.name = "s"});
  EXPECT_TRUE(mentions(expectError([&] { store.createPreferenceSet({.name = "s"}); }), "already exists"));
  EXPECT_EQ(expectError([&] { store.createPreferenceSet({}); }).kind(), ErrorKind::InvalidConfig);
  EXPECT_TRUE(mentions(expectError([&] { store.addPreferencePairs(set + 7, {pair("p", "a", "b")}); }),
                       "no preference set with id"));
  // A bad pair anywhere in the batch stores nothing of it.
  const Error missing = expectError([&] { store.addPreferencePairs(set, {pair("p", "a", "b"), pair("q", "a", "")}); });
  EXPECT_TRUE(mentions(missing, "pair 1 of the batch has no completion B"));
  EXPECT_TRUE(mentions(expectError([&] { store.addPreferencePairs(set, {pair("", "a", "b")}); }), "no a prompt"));
  EXPECT_EQ(store.preferencePairs(set).size(), 0U);
}

TEST(StorePreferences, ADuplicatePairIsCountedAndNotStored) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  const int64_t set = store.createPreferenceSet({.name = "s"});
  const auto first = store.addPreferencePairs(set, {pair("p", "a", "b"), pair("p", "a", "b"), pair("p", "b", "a")});
  EXPECT_EQ(first.added, 2);
  EXPECT_EQ(first.duplicates, 1);
  EXPECT_EQ(first.ids[0], first.ids[1]);
  // Imported again (or a generation resumed): nothing new. Fields are length-prefixed in the key,
  // so moving text from the prompt into a completion is a different pair.
  const auto again = store.addPreferencePairs(set, {pair("p", "a", "b"), pair("pa", "b", "x"), pair("p", "ab", "x")});
  EXPECT_EQ(again.duplicates, 1);
  EXPECT_EQ(again.added, 2);
  EXPECT_EQ(store.preferencePairs(set).size(), 4U);
  // The same pair in another set is that set's own.
  const int64_t other = store.createPreferenceSet({.name = "t"});
  EXPECT_EQ(store.addPreferencePairs(other, {pair("p", "a", "b")}).added, 1);
}

TEST(StorePreferences, VotesAndUndosAreNewRowsThatSupersede) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  const int64_t set = store.createPreferenceSet({.name = "s"});
  const auto ids =
      store.addPreferencePairs(set, {pair("p1", "a", "b"), pair("p2", "a", "b"), pair("p3", "a", "b")}).ids;

  NewPreferenceLabel first = vote(ids[0], "ann", kPreferA);
  first.note = "A is right";
  const int64_t v1 = store.addPreferenceLabel(first);
  const int64_t v2 = store.addPreferenceLabel(vote(ids[0], "ann", kPreferTie));  // changed her mind
  const int64_t u = store.undoPreferenceLabel(ids[0], "ann");                    // and withdrew it
  NewPreferenceLabel rewritten = vote(ids[0], "ann", kPreferB);
  rewritten.rewrite = "b, but better";
  const int64_t v3 = store.addPreferenceLabel(rewritten);
  store.addPreferenceLabel(vote(ids[1], "ann", kPreferSkip));
  store.addPreferenceLabel(vote(ids[0], "bob", kPreferNeither));

  const auto history = store.preferenceLabelHistory(set);
  ASSERT_EQ(history.size(), 6U);
  EXPECT_EQ(history[0].id, v1);
  EXPECT_EQ(history[0].supersedes, 0);
  EXPECT_EQ(history[0].note, "A is right");
  EXPECT_EQ(history[0].shown_left, "b");
  EXPECT_DOUBLE_EQ(history[0].seconds_spent, 2.5);
  EXPECT_EQ(history[1].supersedes, v1);
  EXPECT_EQ(history[2].id, u);
  EXPECT_EQ(history[2].choice, "undo");
  EXPECT_EQ(history[2].supersedes, v2);
  EXPECT_EQ(history[3].id, v3);
  EXPECT_EQ(history[3].supersedes, u);
  EXPECT_EQ(history[5].supersedes, 0);  // bob's first label on the pair supersedes nothing of ann's

  const auto current = store.currentPreferenceLabels(set);
  ASSERT_EQ(current.size(), 3U);
  EXPECT_EQ(current[0].pair_id, ids[0]);
  EXPECT_EQ(current[0].labeller, "ann");
  EXPECT_EQ(current[0].choice, "b");
  EXPECT_EQ(current[0].rewrite, "b, but better");
  EXPECT_EQ(current[1].labeller, "bob");
  EXPECT_EQ(current[1].choice, "both-bad");
  EXPECT_EQ(current[2].pair_id, ids[1]);
  EXPECT_EQ(current[2].choice, "skip");
  EXPECT_EQ(store.findPreferenceSet("s")->labelled_pairs, 2);

  EXPECT_EQ(store.pairsToLabel(set, "ann", 10), std::vector<int64_t>{ids[2]});
  EXPECT_EQ(store.pairsToLabel(set, "bob", 10), (std::vector<int64_t>{ids[1], ids[2]}));
  EXPECT_EQ(store.pairsToLabel(set, "bob", 1), std::vector<int64_t>{ids[1]});
  EXPECT_EQ(store.pairsToLabel(set, "cyd", 10), ids);
  // After an undo the pair is to be labelled again, and nothing is left to undo.
  store.undoPreferenceLabel(ids[1], "ann");
  EXPECT_EQ(store.pairsToLabel(set, "ann", 10), (std::vector<int64_t>{ids[1], ids[2]}));
  EXPECT_TRUE(mentions(expectError([&] { store.undoPreferenceLabel(ids[1], "ann"); }), "nothing to undo"));
  EXPECT_TRUE(mentions(expectError([&] { store.undoPreferenceLabel(ids[2], "ann"); }), "nothing to undo"));
  EXPECT_EQ(store.findPreferenceSet("s")->labelled_pairs, 1);
}

TEST(StorePreferences, AnImportIsOneTransaction) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  NewPreferenceSet set;
  set.name = "imported";
  set.prompts_source = "file.jsonl";
  const std::vector<NewPreferencePair> pairs = {pair("p1", "a1", "b1"), pair("p2", "a2", "b2")};
  const std::vector<NewPreferenceLabel> labels = {vote(0, "dataset", kPreferA), vote(1, "dataset", kPreferB)};
  const ImportedPreferences first = store.importPreferences(set, pairs, labels);
  EXPECT_TRUE(first.created_set);
  EXPECT_EQ(first.pairs.added, 2);
  EXPECT_EQ(first.labels_added, 2);
  const auto current = store.currentPreferenceLabels(first.set_id);
  ASSERT_EQ(current.size(), 2u);
  EXPECT_EQ(current[1].pair_id, first.pairs.ids[1]);  // a label's index became its pair's id
  EXPECT_EQ(current[1].choice, "b");

  // Again, with one verdict changed: the same pairs, one new label superseding, one kept.
  std::vector<NewPreferenceLabel> changed = labels;
  changed[1].choice = std::string(kPreferTie);
  const ImportedPreferences again = store.importPreferences(set, pairs, changed);
  EXPECT_FALSE(again.created_set);
  EXPECT_EQ(again.set_id, first.set_id);
  EXPECT_EQ(again.pairs.duplicates, 2);
  EXPECT_EQ(again.labels_added, 1);
  EXPECT_EQ(again.labels_already_there, 1);
  EXPECT_EQ(store.preferenceLabelHistory(first.set_id).size(), 3u);

  // A bad label anywhere: no set, no pair, no label.
  NewPreferenceSet other = set;
  other.name = "never";
  std::vector<NewPreferenceLabel> bad = labels;
  bad[1].choice = "maybe";
  EXPECT_THROW(store.importPreferences(other, pairs, bad), Error);
  bad[1] = vote(7, "dataset", kPreferA);  // names no pair of the batch
  EXPECT_THROW(store.importPreferences(other, pairs, bad), Error);
  EXPECT_FALSE(store.findPreferenceSet("never"));
  EXPECT_EQ(store.listPreferenceSets().size(), 1u);
}

TEST(StorePreferences, BadLabelsAreRefusedNamingTheField) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  const int64_t set = store.createPreferenceSet({.name = "s"});
  const int64_t id = store.addPreferencePairs(set, {pair("p", "a", "b")}).ids[0];
  EXPECT_TRUE(mentions(expectError([&] { store.addPreferenceLabel(vote(id, "ann", "left")); }), "expected a, b, tie"));
  EXPECT_TRUE(mentions(expectError([&] { store.addPreferenceLabel(vote(id, "ann", kPreferUndo)); }), "`undo`"));
  EXPECT_TRUE(mentions(expectError([&] { store.addPreferenceLabel(vote(id, "", kPreferA)); }), "labeller"));
  EXPECT_TRUE(mentions(expectError([&] { store.addPreferenceLabel(vote(id + 9, "ann", kPreferA)); }),
                       "no preference pair with id"));
  NewPreferenceLabel sideways = vote(id, "ann", kPreferA);
  sideways.shown_left = "middle";
  EXPECT_TRUE(mentions(expectError([&] { store.addPreferenceLabel(sideways); }), "shown_left"));
  EXPECT_TRUE(store.preferenceLabelHistory(set).empty());
  // A read-only store reads and refuses to write.
  Store reader = Store::openReadOnly(dir / "temper.db");
  EXPECT_EQ(reader.preferencePairs(set).size(), 1U);
  EXPECT_EQ(expectError([&] { reader.addPreferenceLabel(vote(id, "ann", kPreferA)); }).kind(), ErrorKind::Internal);
}

TEST(StorePreferences, SchemaTwoPlaceholderRowsMoveIntoASet) {
  TempDir dir;
  const auto path = dir / "temper.db";
  {
    // A workspace as schema version 2 left it, with rows in version 1's placeholder table.
    RawDb raw(path);
    raw.exec("PRAGMA journal_mode = WAL");
    builtinMigrations()[0].apply(raw.get());
    builtinMigrations()[1].apply(raw.get());
    raw.exec("PRAGMA user_version = 2");
    raw.exec(
        "INSERT INTO preferences (prompt, completion_a, completion_b, source_a, source_b, choice, note, created_at) "
        "VALUES ('p1', 'a1', 'b1', 'gpt2', 'mine', 'b', 'ok', 10.0), ('p2', 'a2', 'b2', '', '', '', '', 11.0);");
  }
  Store store = Store::open(path);
  EXPECT_EQ(store.schemaVersion(), latestSchemaVersion());
  const auto set = store.findPreferenceSet("preferences (schema 1)");
  ASSERT_TRUE(set);
  EXPECT_DOUBLE_EQ(set->created_at, 10.0);
  const auto pairs = store.preferencePairs(set->id);
  ASSERT_EQ(pairs.size(), 2U);
  EXPECT_EQ(pairs[0].prompt, "p1");
  EXPECT_EQ(pairs[0].completion_b, "b1");
  EXPECT_EQ(pairs[0].source_a_json, R"({"name":"gpt2"})");
  EXPECT_EQ(pairs[1].completion_a, "a2");
  const auto labels = store.currentPreferenceLabels(set->id);
  ASSERT_EQ(labels.size(), 1U);  // the row without a choice has no label
  EXPECT_EQ(labels[0].pair_id, pairs[0].id);
  EXPECT_EQ(labels[0].choice, "b");
  EXPECT_EQ(labels[0].note, "ok");
  RawDb raw(path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_master WHERE name = 'preferences'"), 0);
}

TEST(StorePreferences, AnEmptyPlaceholderMakesNoSet) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  EXPECT_TRUE(store.listPreferenceSets().empty());
}

// Votes committed by one process while another adds pairs in batches: every vote is kept, every
// pair is there, and the labeller always sees a consistent set.
TEST(StorePreferences, LabelsAreNeverLostUnderAConcurrentPairWriter) {
  TempDir dir;
  const auto path = dir / "temper.db";
  int64_t set = 0;
  {
    Store store = Store::open(path);
    set = store.createPreferenceSet({.name = "s"});
    store.addPreferencePairs(set, {pair("seed", "a", "b")});
  }
  constexpr int kBatches = 40, kPerBatch = 25;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int code = 0;
    try {
      Store writer = Store::open(path);
      for (int b = 0; b < kBatches; ++b) {
        std::vector<NewPreferencePair> batch;
        for (int i = 0; i < kPerBatch; ++i) batch.push_back(pair("p" + std::to_string(b * kPerBatch + i), "a", "b"));
        writer.addPreferencePairs(set, batch);
      }
    } catch (...) {
      code = 1;
    }
    _exit(code);
  }
  int votes = 0;
  {
    Store labeller = Store::open(path);
    for (int round = 0; round < 200; ++round) {
      const auto next = labeller.pairsToLabel(set, "ann", 1);
      if (next.empty()) continue;
      labeller.addPreferenceLabel(vote(next[0], "ann", round % 2 == 0 ? kPreferA : kPreferB));
      ++votes;
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  Store store = Store::open(path);
  EXPECT_EQ(store.preferencePairs(set).size(), static_cast<size_t>(1 + kBatches * kPerBatch));
  EXPECT_EQ(store.currentPreferenceLabels(set).size(), static_cast<size_t>(votes));
  EXPECT_EQ(store.preferenceLabelHistory(set).size(), static_cast<size_t>(votes));
  EXPECT_GT(votes, 0);
}
