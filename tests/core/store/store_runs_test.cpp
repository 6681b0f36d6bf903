// The run lifecycle: create, list, find by prefix, start, heartbeat, finish, edit, delete.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <functional>
#include <thread>

#include "core/store/run_id.h"
#include "core/store/schema.h"
#include "core/store/store.h"
#include "store_test_support.h"

using namespace temper;
using namespace temper::store_test;

namespace {

NewRun sampleRun(const std::string& name) {
  NewRun run;
  run.name = name;
  run.method = "sft";
  run.base_model = "gpt2-tiny";
  run.dataset = "data/chat.jsonl";
  run.config_json = R"({"lr":0.0003})";
  run.device = "cpu";
  run.versions_json = R"({"temper":"0.1.0"})";
  run.tags = "baseline,small";
  run.threads = 4;
  return run;
}

// "20261127-084512-a3f9". Hand-written rather than std::regex, which trips GCC 12's
// -Wmaybe-uninitialized under the sanitizer build.
bool looksLikeRunId(const std::string& id) {
  if (id.size() != 20 || id[8] != '-' || id[15] != '-') return false;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  for (size_t i = 16; i < 20; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(id[i])) && (id[i] < 'a' || id[i] > 'f')) return false;
  }
  return true;
}

// The shortest prefix of `id` that `other` does not share.
std::string uniquePrefix(const std::string& id, const std::string& other) {
  size_t i = 0;
  while (i < id.size() && i < other.size() && id[i] == other[i]) ++i;
  return id.substr(0, i + 1);
}

}  // namespace

TEST(StoreRuns, RunIdIsUtcTimeAndFourHexDigits) {
  using namespace std::chrono;
  sys_seconds when = sys_days{year{2026} / November / 27} + hours{8} + minutes{45} + seconds{12};
  EXPECT_EQ(formatRunId(when, 0xa3f9), "20261127-084512-a3f9");
  EXPECT_EQ(formatRunId(when, 0x000b), "20261127-084512-000b");
  EXPECT_TRUE(looksLikeRunId(newRunId())) << newRunId();
  EXPECT_FALSE(looksLikeRunId("20261127-084512-A3F9"));
}

TEST(StoreRuns, CreateStoresEveryFieldWithStatusCreated) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  double before = nowUnixSeconds();
  NewRun wanted = sampleRun("first");
  wanted.parent_id = "20250101-000000-0000";
  std::string id = store.createRun(wanted);
  EXPECT_TRUE(looksLikeRunId(id)) << id;

  auto run = store.findRun(id);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->id, id);
  EXPECT_EQ(run->name, "first");
  EXPECT_EQ(run->parent_id, "20250101-000000-0000");
  EXPECT_EQ(run->method, "sft");
  EXPECT_EQ(run->base_model, "gpt2-tiny");
  EXPECT_EQ(run->dataset, "data/chat.jsonl");
  EXPECT_EQ(run->config_json, R"({"lr":0.0003})");
  EXPECT_EQ(run->device, "cpu");
  EXPECT_EQ(run->versions_json, R"({"temper":"0.1.0"})");
  EXPECT_EQ(run->tags, "baseline,small");
  EXPECT_EQ(run->threads, 4);
  EXPECT_EQ(run->status, "created");
  EXPECT_EQ(run->pid, 0);
  EXPECT_GE(run->created_at, before - 1);
  EXPECT_LE(run->created_at, nowUnixSeconds() + 1);
  EXPECT_EQ(run->started_at, 0);
  EXPECT_EQ(run->finished_at, 0);
  // No run_dir given: the workspace layout, next to temper.db.
  EXPECT_EQ(run->run_dir, (dir.path() / "runs" / id).string());

  NewRun explicit_dir = sampleRun("second");
  explicit_dir.run_dir = "/somewhere/else";
  EXPECT_EQ(store.findRun(store.createRun(explicit_dir))->run_dir, "/somewhere/else");
}

TEST(StoreRuns, ListIsNewestFirstAndFindAcceptsUniquePrefixes) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  std::string older = store.createRun(sampleRun("older"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::string newer = store.createRun(sampleRun("newer"));

  auto runs = store.listRuns();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, newer);
  EXPECT_EQ(runs[1].id, older);

  EXPECT_EQ(store.findRun(uniquePrefix(older, newer))->id, older);
  EXPECT_EQ(store.findRun(uniquePrefix(newer, older))->id, newer);
  EXPECT_FALSE(store.findRun("19990101"));

  // Both ids start with the year.
  Error ambiguous = expectError([&] { store.findRun(older.substr(0, 4)); });
  EXPECT_EQ(ambiguous.kind(), ErrorKind::InvalidConfig);
  EXPECT_TRUE(mentions(ambiguous, "`" + older.substr(0, 4) + "` is ambiguous"));
  EXPECT_TRUE(mentions(ambiguous, older));
  EXPECT_TRUE(mentions(ambiguous, newer));

  Error empty = expectError([&] { store.findRun(""); });
  EXPECT_EQ(empty.kind(), ErrorKind::InvalidConfig);
  EXPECT_TRUE(mentions(empty, "run id is empty"));

  // LIKE wildcards in a prefix match only themselves.
  EXPECT_FALSE(store.findRun("%"));
  EXPECT_FALSE(store.findRun("____"));
}

TEST(StoreRuns, LifecycleRunningHeartbeatFinished) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  std::string id = store.createRun(sampleRun("life"));

  store.markRunning(id, 4242);
  auto running = store.findRun(id);
  EXPECT_EQ(running->status, "running");
  EXPECT_EQ(running->pid, 4242);
  EXPECT_GT(running->started_at, 0);
  EXPECT_EQ(running->heartbeat_at, running->started_at);

  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  store.heartbeat(id);
  EXPECT_GT(store.findRun(id)->heartbeat_at, running->heartbeat_at);

  store.finishRun(id, "finished", "");
  auto finished = store.findRun(id);
  EXPECT_EQ(finished->status, "finished");
  EXPECT_EQ(finished->pid, 0) << "a finished run has no process";
  EXPECT_GE(finished->finished_at, finished->started_at);
  EXPECT_EQ(finished->error_message, "");

  std::string failed = store.createRun(sampleRun("diverged"));
  store.markRunning(failed, 1);
  store.finishRun(failed, "failed", "loss became NaN at step 120");
  EXPECT_EQ(store.findRun(failed)->status, "failed");
  EXPECT_EQ(store.findRun(failed)->error_message, "loss became NaN at step 120");

  // Resuming clears the previous ending.
  store.markRunning(failed, 2);
  EXPECT_EQ(store.findRun(failed)->error_message, "");
  EXPECT_EQ(store.findRun(failed)->finished_at, 0);
}

TEST(StoreRuns, EditsAreStoredAndBadInputNamesWhatIsValid) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  std::string id = store.createRun(sampleRun("before"));
  store.renameRun(id, "after");
  store.setNotes(id, "lr too high? \xc3\xa9t\xc3\xa9");
  store.setTags(id, "keep");
  store.updateRunConfig(id, R"({"lr":0.0001})");
  auto run = store.findRun(id);
  EXPECT_EQ(run->name, "after");
  EXPECT_EQ(run->notes, "lr too high? \xc3\xa9t\xc3\xa9");
  EXPECT_EQ(run->tags, "keep");
  EXPECT_EQ(run->config_json, R"({"lr":0.0001})");

  Error bad_status = expectError([&] { store.finishRun(id, "done", ""); });
  EXPECT_EQ(bad_status.kind(), ErrorKind::InvalidConfig);
  EXPECT_TRUE(mentions(bad_status, "`done`"));
  EXPECT_TRUE(mentions(bad_status, "`finished`, `failed` or `cancelled`"));

  for (auto& attempt : std::vector<std::function<void()>>{
           [&] { store.markRunning("nope", 1); }, [&] { store.heartbeat("nope"); },
           [&] { store.finishRun("nope", "cancelled", ""); }, [&] { store.renameRun("nope", "x"); },
           [&] { store.deleteRun("nope"); },
           [&] {
             store.appendMetrics("nope", {{1, 0, 0, "loss", 1}});
           },
           [&] { store.addCheckpoint("nope", {}); }, [&] { store.addSample("nope", {}); }}) {
    Error unknown = expectError(attempt);
    EXPECT_EQ(unknown.kind(), ErrorKind::InvalidConfig);
    EXPECT_TRUE(mentions(unknown, "no run with id `nope`"));
    EXPECT_TRUE(mentions(unknown, (dir / "temper.db").string()));
  }
}

TEST(StoreRuns, ReadOnlyStoreReadsButRefusesWrites) {
  TempDir dir;
  std::string id = Store::open(dir / "temper.db").createRun(sampleRun("seen"));
  Store reader = Store::openReadOnly(dir / "temper.db");
  EXPECT_TRUE(reader.isReadOnly());
  EXPECT_EQ(reader.findRun(id)->name, "seen");
  Error error = expectError([&] { reader.createRun(sampleRun("not allowed")); });
  EXPECT_EQ(error.kind(), ErrorKind::Internal);
  EXPECT_TRUE(mentions(error, "read-only"));
}

TEST(StoreRuns, DeleteRemovesTheRunsSeriesAndNothingElse) {
  TempDir dir;
  Store store = Store::open(dir / "temper.db");
  std::string doomed = store.createRun(sampleRun("doomed"));
  std::string kept = store.createRun(sampleRun("kept"));
  for (const std::string& id : {doomed, kept}) {
    store.appendMetrics(id, {{1, 10, 0.1, "loss", 3.0}, {2, 20, 0.2, "loss", 2.0}});
    store.addCheckpoint(id, {2, 20, "runs/" + id + "/checkpoints/step-2", 2.1, 0});
    store.addSample(id, {2, "Once", "Once upon a time", 0});
  }
  store.deleteRun(doomed);
  EXPECT_FALSE(store.findRun(doomed));
  RawDb raw(dir / "temper.db");
  for (const char* table : {"metrics", "checkpoints", "samples"}) {
    EXPECT_EQ(raw.integer(std::string("SELECT count(*) FROM ") + table + " WHERE run_id = '" + doomed + "'"), 0)
        << table << " rows of a deleted run remain";
    EXPECT_GT(raw.integer(std::string("SELECT count(*) FROM ") + table + " WHERE run_id = '" + kept + "'"), 0)
        << table << " rows of another run were removed";
  }
  EXPECT_EQ(store.metrics(kept).size(), 2u);
}

TEST(StoreRuns, MovedFromStoreSaysSo) {
  TempDir dir;
  Store first = Store::open(dir / "temper.db");
  Store second = std::move(first);
  EXPECT_EQ(second.schemaVersion(), latestSchemaVersion());
  Error error = expectError([&] { first.listRuns(); });  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(error.kind(), ErrorKind::Internal);
  EXPECT_TRUE(mentions(error, "moved"));
}
