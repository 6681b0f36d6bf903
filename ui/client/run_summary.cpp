#include "ui/client/run_summary.h"

#include <sqlite3.h>

#include <algorithm>
#include <memory>

#include "core/common/error.h"

namespace temper::studio {

double RunSummary::durationSeconds(double now_unix) const {
  if (train_seconds > 0) return train_seconds;
  if (run.started_at <= 0) return 0;
  const double end = run.finished_at > 0 ? run.finished_at : now_unix;
  return std::max(0.0, end - run.started_at);
}

RunSummary loadRunSummary(const Store& store, RunRecord run) {
  RunSummary summary;
  for (const auto& [name, point] : store.lastMetrics(run.id)) {
    if (point.step >= summary.steps) {
      summary.steps = point.step;
      summary.tokens = std::max(summary.tokens, point.tokens_seen);
      summary.train_seconds = std::max(summary.train_seconds, point.wall_time_s);
    }
    if (name == "val_loss") summary.last_val_loss = point.value;
  }
  if (!std::isnan(summary.last_val_loss)) {
    for (const MetricPoint& point : store.metrics(run.id, "val_loss")) {
      if (std::isnan(summary.best_val_loss) || point.value < summary.best_val_loss) summary.best_val_loss = point.value;
    }
  }
  summary.run = std::move(run);
  return summary;
}

namespace {

// Why SQL here and not Store: the store answers per run (listRuns + lastMetrics + metrics), which
// costs ~140 us a run, 1.4 s for 10,000 runs; the history must open in 300 ms. This one read-only
// statement finds each figure with an index seek on metrics' (run_id, name, step) key and leaves
// out config_json (kilobytes per run the table never shows). Until Store gains a bulk summary
// query (docs/studio.md), this is the only place the studio reads the schema itself; it checks
// the schema version first and says so if the store is newer than it knows.
constexpr int kKnownSchemaVersion = 1;
// Every figure is a scalar subquery that seeks the (run_id, name, step) key from its end: a join
// on "the row with the highest step" was evaluated per metric row (3.3 s for 10,000 runs of 200
// steps); these are a handful of seeks per run whatever the run's length.
constexpr const char* kSummarySql = R"sql(
SELECT r.id, r.name, r.parent_id, r.method, r.base_model, r.dataset, r.status, r.device, r.run_dir, r.tags,
       r.notes, r.error_message, r.threads, r.pid, r.created_at, r.started_at, r.finished_at, r.heartbeat_at,
       (SELECT step FROM metrics WHERE run_id = r.id AND name = 'train_loss' ORDER BY step DESC LIMIT 1),
       (SELECT tokens_seen FROM metrics WHERE run_id = r.id AND name = 'train_loss' ORDER BY step DESC LIMIT 1),
       (SELECT wall_time_s FROM metrics WHERE run_id = r.id AND name = 'train_loss' ORDER BY step DESC LIMIT 1),
       (SELECT value FROM metrics WHERE run_id = r.id AND name = 'val_loss' ORDER BY step DESC LIMIT 1),
       (SELECT min(value) FROM metrics WHERE run_id = r.id AND name = 'val_loss')
FROM runs r
ORDER BY r.created_at DESC, r.id DESC
)sql";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

std::string text(sqlite3_stmt* s, int column) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, column))) : std::string();
}

double realOr(sqlite3_stmt* s, int column, double fallback) {
  return sqlite3_column_type(s, column) == SQLITE_NULL ? fallback : sqlite3_column_double(s, column);
}

[[noreturn]] void fail(sqlite3* db, const std::filesystem::path& path, const char* what) {
  throw Error(ErrorKind::Io, std::string("reading the run history from ") + path.string() + ": " + what + ": " +
                                 (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

std::vector<RunSummary> loadRunSummaries(const Store& store) {
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(store.path().c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, DbCloser> db(raw);
  if (opened != SQLITE_OK) fail(raw, store.path(), "cannot open");
  sqlite3_busy_timeout(db.get(), 5000);
  // Memory-mapped reads: the seeks below touch a few pages per run all over the metrics b-tree,
  // more than SQLite's default page cache holds on a store of millions of points (measured: 415 ->
  // 359 ms for 10,000 runs x 200 steps, on a loaded machine). Best effort: on error, normal reads.
  sqlite3_exec(db.get(), "PRAGMA mmap_size = 1073741824", nullptr, nullptr, nullptr);
  const int version = store.schemaVersion();
  if (version != kKnownSchemaVersion) {
    // A newer schema may have moved columns: fall back to the store's own (slower) queries.
    std::vector<RunSummary> summaries;
    for (RunRecord& run : store.listRuns()) summaries.push_back(loadRunSummary(store, std::move(run)));
    return summaries;
  }
  sqlite3_stmt* raw_statement = nullptr;
  if (sqlite3_prepare_v2(db.get(), kSummarySql, -1, &raw_statement, nullptr) != SQLITE_OK) {
    fail(db.get(), store.path(), "preparing the summary query");
  }
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> s(raw_statement);
  std::vector<RunSummary> summaries;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (;;) {
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) fail(db.get(), store.path(), "running the summary query");
    RunSummary& row = summaries.emplace_back();
    RunRecord& r = row.run;
    r.id = text(s.get(), 0);
    r.name = text(s.get(), 1);
    r.parent_id = text(s.get(), 2);
    r.method = text(s.get(), 3);
    r.base_model = text(s.get(), 4);
    r.dataset = text(s.get(), 5);
    r.status = text(s.get(), 6);
    r.device = text(s.get(), 7);
    r.run_dir = text(s.get(), 8);
    r.tags = text(s.get(), 9);
    r.notes = text(s.get(), 10);
    r.error_message = text(s.get(), 11);
    r.threads = sqlite3_column_int(s.get(), 12);
    r.pid = sqlite3_column_int64(s.get(), 13);
    r.created_at = realOr(s.get(), 14, 0);
    r.started_at = realOr(s.get(), 15, 0);
    r.finished_at = realOr(s.get(), 16, 0);
    r.heartbeat_at = realOr(s.get(), 17, 0);
    row.steps = sqlite3_column_int64(s.get(), 18);
    row.tokens = sqlite3_column_int64(s.get(), 19);
    row.train_seconds = realOr(s.get(), 20, 0);
    row.last_val_loss = realOr(s.get(), 21, nan);
    row.best_val_loss = realOr(s.get(), 22, nan);
  }
  return summaries;
}

}  // namespace temper::studio
