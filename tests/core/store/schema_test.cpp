// Schema creation, migrations in order, refusal of newer and damaged files.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <random>
#include <vector>

#include "core/store/schema.h"
#include "core/store/store.h"
#include "store_test_support.h"

using namespace temper;
using namespace temper::store_test;

TEST(StoreSchema, NewFileGetsLatestVersionAllTablesAndWal) {
  TempDir dir;
  auto path = dir / "temper.db";
  {
    Store store = Store::open(path);
    EXPECT_EQ(store.schemaVersion(), latestSchemaVersion());
    EXPECT_EQ(store.schemaVersion(), 4);
    EXPECT_EQ(store.path(), path);
    EXPECT_FALSE(store.isReadOnly());
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  RawDb raw(path);
  for (const char* table : {"runs", "metrics", "metric_summaries", "checkpoints", "samples", "datasets", "models",
                            "preference_sets", "preference_pairs", "preference_labels", "prompts"}) {
    EXPECT_EQ(
        raw.integer(std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '") + table + "'"),
        1)
        << table;
  }
  // Version 1's placeholder table is gone (schema version 3 moved its rows, store_preferences_test).
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_master WHERE name = 'preferences'"), 0);
  for (const char* column : {"set_id", "prompt", "messages_json", "completion_a", "completion_b", "source_a_json",
                             "source_b_json", "origin", "dedup_key", "created_at"}) {
    EXPECT_EQ(raw.integer(std::string("SELECT count(*) FROM pragma_table_info('preference_pairs') WHERE name = '") +
                          column + "'"),
              1)
        << column;
  }
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'samples'"), 1);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");  // WAL is persistent in the file
  EXPECT_EQ(raw.integer("PRAGMA user_version"), 4);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM pragma_table_info('samples') WHERE name = 'scores_json'"), 1);
}

TEST(StoreSchema, ReopeningIsIdempotent) {
  TempDir dir;
  std::string id = Store::open(dir / "temper.db").createRun(NewRun{.name = "kept"});
  Store again = Store::open(dir / "temper.db");
  EXPECT_EQ(again.schemaVersion(), latestSchemaVersion());
  ASSERT_TRUE(again.findRun(id));
  EXPECT_EQ(again.findRun(id)->name, "kept");
}

TEST(StoreSchema, OlderDatabaseIsUpgradedOnOpen) {
  TempDir dir;
  auto path = dir / "temper.db";
  {
    // Version 0 with something already in it: upgrading must add the schema and keep the rest.
    RawDb raw(path);
    raw.exec("CREATE TABLE scratch (x INTEGER); INSERT INTO scratch VALUES (42); PRAGMA user_version = 0;");
  }
  Store store = Store::open(path);
  EXPECT_EQ(store.schemaVersion(), latestSchemaVersion());
  std::string id = store.createRun(NewRun{.name = "after upgrade"});
  EXPECT_EQ(store.findRun(id)->name, "after upgrade");
  RawDb raw(path);
  EXPECT_EQ(raw.integer("SELECT x FROM scratch"), 42);
}

namespace {

std::vector<int> g_applied;  // which fake migrations ran, in order (migrations are plain function pointers)

// The fake migrations come after the real ones: "first" and "second" extra versions.
int extraVersion(int n) { return latestSchemaVersion() + n; }

void fakeV2(sqlite3* db) {
  g_applied.push_back(2);
  sqlite3_exec(db, "ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 7", nullptr, nullptr, nullptr);
}
void fakeV3(sqlite3* db) {
  g_applied.push_back(3);
  // Only works if version 2 ran first.
  int rc = sqlite3_exec(db, "CREATE TABLE v3 AS SELECT id, priority FROM runs", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw Error(ErrorKind::Internal, "fake migration 3 ran before 2");
}
void failingV2(sqlite3* db) {
  g_applied.push_back(-2);
  sqlite3_exec(db, "ALTER TABLE runs ADD COLUMN half_done INTEGER", nullptr, nullptr, nullptr);
  throw Error(ErrorKind::Internal, "migration 2 failed on purpose");
}

std::vector<Migration> withExtra(std::initializer_list<Migration> extra) {
  std::vector<Migration> all(builtinMigrations().begin(), builtinMigrations().end());
  all.insert(all.end(), extra);
  return all;
}

}  // namespace

TEST(StoreSchema, PendingMigrationsRunInOrderAndOnlyOnce) {
  TempDir dir;
  auto path = dir / "temper.db";
  std::string id = Store::open(path).createRun(NewRun{.name = "v1 run"});
  RawDb raw(path);
  g_applied.clear();
  migrate(raw.get(),
          withExtra({{extraVersion(1), "add priority", &fakeV2}, {extraVersion(2), "copy priorities", &fakeV3}}));
  EXPECT_EQ(g_applied, (std::vector<int>{2, 3}));
  EXPECT_EQ(raw.integer("PRAGMA user_version"), extraVersion(2));
  EXPECT_EQ(raw.integer("SELECT priority FROM v3 WHERE id = '" + id + "'"), 7);

  migrate(raw.get(),
          withExtra({{extraVersion(1), "add priority", &fakeV2}, {extraVersion(2), "copy priorities", &fakeV3}}));
  EXPECT_EQ(g_applied, (std::vector<int>{2, 3})) << "an up-to-date database ran migrations again";
}

TEST(StoreSchema, FailedMigrationLeavesTheOldVersion) {
  TempDir dir;
  auto path = dir / "temper.db";
  Store::open(path);
  RawDb raw(path);
  Error error = expectError([&] { migrate(raw.get(), withExtra({{extraVersion(1), "fails", &failingV2}})); });
  EXPECT_TRUE(mentions(error, "failed on purpose"));
  EXPECT_EQ(raw.integer("PRAGMA user_version"), latestSchemaVersion());
  EXPECT_EQ(raw.integer("SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'half_done'"), 0)
      << "the failed migration's ALTER was not rolled back";
}

TEST(StoreSchema, MisnumberedMigrationsAreABug) {
  TempDir dir;
  RawDb raw(dir / "temper.db");
  static constexpr Migration kGap[] = {{2, "no version 1", &fakeV2}};
  Error error = expectError([&] { migrate(raw.get(), kGap); });
  EXPECT_EQ(error.kind(), ErrorKind::Internal);
  EXPECT_TRUE(mentions(error, "numbered 1, 2, 3"));
}

TEST(StoreSchema, NewerDatabaseIsRefusedByWriterAndReader) {
  TempDir dir;
  auto path = dir / "temper.db";
  {
    RawDb raw(path);
    raw.exec("CREATE TABLE runs (id TEXT); PRAGMA user_version = 7;");
  }
  for (bool read_only : {false, true}) {
    Error error = expectError([&] { read_only ? Store::openReadOnly(path) : Store::open(path); });
    EXPECT_EQ(error.kind(), ErrorKind::InvalidInput);
    EXPECT_TRUE(mentions(error, path.string()));
    EXPECT_TRUE(mentions(error, "schema version 7"));
    EXPECT_TRUE(mentions(error, "knows versions up to " + std::to_string(latestSchemaVersion())));
    EXPECT_TRUE(mentions(error, "newer Temper"));
  }
  RawDb raw(path);
  EXPECT_EQ(raw.integer("PRAGMA user_version"), 7) << "a refused database must be left alone";
}

TEST(StoreSchema, ReaderRefusesADatabaseItCannotUpgrade) {
  TempDir dir;
  auto path = dir / "temper.db";
  {
    RawDb raw(path);
    raw.exec("CREATE TABLE scratch (x INTEGER)");
  }
  Error error = expectError([&] { Store::openReadOnly(path); });
  EXPECT_EQ(error.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(mentions(error, "schema version 0"));
  EXPECT_TRUE(mentions(error, "cannot upgrade"));
}

TEST(StoreSchema, ReaderUpgradesAnOlderTemperStoreOnce) {
  TempDir dir;
  auto path = dir / "temper.db";
  {
    // What Temper with schema version 1 left behind (migration 1's SQL never changes).
    RawDb raw(path);
    raw.exec("PRAGMA journal_mode = WAL");
    builtinMigrations()[0].apply(raw.get());
    raw.exec(
        "PRAGMA user_version = 1; INSERT INTO runs (id, name, created_at) VALUES ('r1', 'old', 1.0);"
        "INSERT INTO metrics (run_id, name, step, value) VALUES ('r1', 'train_loss', 4, 0.5);");
  }
  Store reader = Store::openReadOnly(path);
  EXPECT_TRUE(reader.isReadOnly());
  EXPECT_EQ(reader.schemaVersion(), latestSchemaVersion());
  EXPECT_EQ(reader.listRuns().size(), 1u);
  EXPECT_EQ(reader.lastMetrics("r1").at("train_loss").step, 4);
}

TEST(StoreSchema, FileOfRandomBytesIsInvalidInputNamingThePath) {
  TempDir dir;
  auto path = dir / "corrupt.db";
  {
    std::mt19937 generator(1234);  // fixed seed: the same bytes every run
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(generator() & 0xff));
  }
  for (bool read_only : {false, true}) {
    Error error = expectError([&] { read_only ? Store::openReadOnly(path) : Store::open(path); });
    EXPECT_EQ(error.kind(), ErrorKind::InvalidInput) << error.what();
    EXPECT_TRUE(mentions(error, path.string()));
    EXPECT_TRUE(mentions(error, "not a usable SQLite database"));
  }
}

TEST(StoreSchema, MissingFolderOrFileIsIoNamingThePath) {
  TempDir dir;
  auto in_missing_folder = dir / "no-such-folder" / "temper.db";
  Error error = expectError([&] { Store::open(in_missing_folder); });
  EXPECT_EQ(error.kind(), ErrorKind::Io);
  EXPECT_TRUE(mentions(error, in_missing_folder.string()));
  EXPECT_TRUE(mentions(error, "does not exist"));

  auto missing = dir / "temper.db";
  error = expectError([&] { Store::openReadOnly(missing); });
  EXPECT_EQ(error.kind(), ErrorKind::Io);
  EXPECT_TRUE(mentions(error, missing.string()));
  EXPECT_FALSE(std::filesystem::exists(missing)) << "a reader must not create the store";
}
