// Store: per-run series (metrics, checkpoints, samples), written in batches and read back in step order.
#include <algorithm>
#include <limits>
#include <string>

#include "core/common/error.h"
#include "core/store/metric_summaries.h"
#include "core/store/run_id.h"
#include "core/store/sqlite_statement.h"
#include "core/store/store.h"
#include "core/store/transaction.h"

namespace temper {

void Store::appendMetrics(const std::string& run_id, const std::vector<MetricPoint>& points) {
  sqlite3* db = writableConnection("appendMetrics");
  if (points.empty()) return;
  for (const MetricPoint& point : points) {
    if (point.name.empty()) {
      throw Error(ErrorKind::InvalidConfig, "appendMetrics: the metric at step " + std::to_string(point.step) +
                                                " of run " + run_id + " has an empty name");
    }
  }
  // One transaction per batch: one WAL commit instead of one per point, and readers see a batch
  // all at once or not at all.
  Transaction transaction(db);
  requireRun(run_id, "appendMetrics");
  Statement insert(db,
                   "INSERT INTO metrics (run_id, name, step, tokens_seen, wall_time_s, value) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (run_id, name, step) DO UPDATE SET "
                   "tokens_seen = excluded.tokens_seen, wall_time_s = excluded.wall_time_s, value = excluded.value");
  for (const MetricPoint& point : points) {
    insert.reset();
    insert.bind(1, run_id).bind(2, point.name).bind(3, point.step).bind(4, point.tokens_seen);
    insert.bind(5, point.wall_time_s).bind(6, point.value);
    insert.run();
  }
  updateMetricSummaries(db, run_id, points);
  transaction.commit();
}

void Store::addCheckpoint(const std::string& run_id, const CheckpointRecord& checkpoint) {
  sqlite3* db = writableConnection("addCheckpoint");
  Transaction transaction(db);
  requireRun(run_id, "addCheckpoint");
  Statement insert(db,
                   "INSERT INTO checkpoints (run_id, step, tokens_seen, path, val_loss, created_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (run_id, step) DO UPDATE SET "
                   "tokens_seen = excluded.tokens_seen, path = excluded.path, val_loss = excluded.val_loss, "
                   "created_at = excluded.created_at");
  insert.bind(1, run_id).bind(2, checkpoint.step).bind(3, checkpoint.tokens_seen).bind(4, checkpoint.path);
  insert.bind(5, checkpoint.val_loss);  // NaN ("no eval") becomes NULL
  insert.bind(6, checkpoint.created_at == 0 ? nowUnixSeconds() : checkpoint.created_at);
  insert.run();
  transaction.commit();
}

void Store::addSample(const std::string& run_id, const SampleRecord& sample) {
  sqlite3* db = writableConnection("addSample");
  Transaction transaction(db);
  requireRun(run_id, "addSample");
  Statement insert(db,
                   "INSERT INTO samples (run_id, step, prompt, text, created_at, scores_json) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.bind(1, run_id).bind(2, sample.step).bind(3, sample.prompt).bind(4, sample.text);
  insert.bind(5, sample.created_at == 0 ? nowUnixSeconds() : sample.created_at);
  insert.bind(6, sample.scores_json.empty() ? std::string("{}") : sample.scores_json);
  insert.run();
  transaction.commit();
}

namespace {

MetricPoint readMetric(const Statement& row) {
  MetricPoint point;
  point.step = row.columnInt64(0);
  point.tokens_seen = row.columnInt64(1);
  point.wall_time_s = row.columnDouble(2);
  point.name = row.columnText(3);
  point.value = row.columnDouble(4);  // NULL -> NaN
  return point;
}

}  // namespace

std::vector<MetricPoint> Store::metrics(const std::string& run_id, const std::string& name) const {
  Statement query(connection(), name.empty() ? "SELECT step, tokens_seen, wall_time_s, name, value FROM metrics "
                                               "WHERE run_id = ?1 ORDER BY step, name"
                                             : "SELECT step, tokens_seen, wall_time_s, name, value FROM metrics "
                                               "WHERE run_id = ?1 AND name = ?2 ORDER BY step");
  query.bind(1, run_id);
  if (!name.empty()) query.bind(2, name);
  std::vector<MetricPoint> points;
  while (query.step()) points.push_back(readMetric(query));
  return points;
}

std::vector<MetricPoint> Store::metricsSince(const std::string& run_id, int64_t after_step,
                                             const std::string& name) const {
  if (!name.empty()) {
    Statement query(connection(),
                    "SELECT step, tokens_seen, wall_time_s, name, value FROM metrics "
                    "WHERE run_id = ?1 AND name = ?2 AND step > ?3 ORDER BY step");
    query.bind(1, run_id).bind(2, name).bind(3, after_step);
    std::vector<MetricPoint> points;
    while (query.step()) points.push_back(readMetric(query));
    return points;
  }
  // metrics is keyed (run_id, name, step), so "step > N" for every name is one seek per name; the
  // names come from the summaries, where last_step also skips names with nothing new. CROSS JOIN
  // keeps the summaries the outer loop (SQLite does not reorder it).
  Statement query(connection(),
                  "SELECT m.step, m.tokens_seen, m.wall_time_s, m.name, m.value FROM metric_summaries s "
                  "CROSS JOIN metrics m ON m.run_id = s.run_id AND m.name = s.name AND m.step > ?2 "
                  "WHERE s.run_id = ?1 AND s.last_step > ?2 ORDER BY m.step, m.name");
  query.bind(1, run_id).bind(2, after_step);
  std::vector<MetricPoint> points;
  while (query.step()) points.push_back(readMetric(query));
  return points;
}

std::vector<MetricPoint> Store::metricsSince(const std::string& run_id,
                                             const std::map<std::string, int64_t>& after_step_by_name) const {
  // One read transaction: the names and their new points come from the same committed state, so a
  // batch the engine commits meanwhile is seen whole on the next call, never half now.
  Transaction snapshot(connection(), Transaction::Mode::Deferred);
  Statement names(connection(), "SELECT name, last_step FROM metric_summaries WHERE run_id = ?1");
  names.bind(1, run_id);
  Statement since(connection(),
                  "SELECT step, tokens_seen, wall_time_s, name, value FROM metrics "
                  "WHERE run_id = ?1 AND name = ?2 AND step > ?3 ORDER BY step");
  std::vector<MetricPoint> points;
  while (names.step()) {
    const std::string name = names.columnText(0);
    auto known = after_step_by_name.find(name);
    const int64_t after = known == after_step_by_name.end() ? std::numeric_limits<int64_t>::min() : known->second;
    if (names.columnInt64(1) <= after) continue;  // nothing new: no seek
    since.reset();
    since.bind(1, run_id).bind(2, name).bind(3, after);
    while (since.step()) points.push_back(readMetric(since));
  }
  snapshot.commit();
  std::stable_sort(points.begin(), points.end(), [](const MetricPoint& a, const MetricPoint& b) {
    return a.step != b.step ? a.step < b.step : a.name < b.name;
  });
  return points;
}

std::vector<CheckpointRecord> Store::checkpoints(const std::string& run_id) const {
  Statement query(connection(),
                  "SELECT step, tokens_seen, path, val_loss, created_at FROM checkpoints WHERE run_id = ?1 "
                  "ORDER BY step");
  query.bind(1, run_id);
  std::vector<CheckpointRecord> result;
  while (query.step()) {
    result.push_back(CheckpointRecord{query.columnInt64(0), query.columnInt64(1), query.columnText(2),
                                      query.columnDouble(3), query.columnDouble(4)});
  }
  return result;
}

std::vector<SampleRecord> Store::samples(const std::string& run_id) const {
  Statement query(
      connection(),
      "SELECT step, prompt, text, created_at, scores_json FROM samples WHERE run_id = ?1 ORDER BY step, id");
  query.bind(1, run_id);
  std::vector<SampleRecord> result;
  while (query.step()) {
    result.push_back(SampleRecord{query.columnInt64(0), query.columnText(1), query.columnText(2), query.columnDouble(3),
                                  query.columnText(4)});
  }
  return result;
}

std::vector<SampleRecord> Store::samplesAddedSince(const std::string& run_id, int64_t& cursor) const {
  // The cursor is the rowid, which only grows: `+run_id` keeps SQLite on the rowid range (the new
  // rows) instead of the (run_id, step) index, which would visit every sample of the run.
  Statement query(connection(),
                  "SELECT step, prompt, text, created_at, scores_json, id FROM samples WHERE id > ?2 AND +run_id = ?1 "
                  "ORDER BY id");
  query.bind(1, run_id).bind(2, cursor);
  std::vector<SampleRecord> result;
  while (query.step()) {
    result.push_back(SampleRecord{query.columnInt64(0), query.columnText(1), query.columnText(2), query.columnDouble(3),
                                  query.columnText(4)});
    cursor = query.columnInt64(5);
  }
  return result;
}

}  // namespace temper
