// Store: the per-(run, metric) summaries that appendMetrics keeps current, and the reads that use
// them instead of aggregating metrics (docs/architecture.md, "Metric summaries").
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/store/metric_summaries.h"
#include "core/store/run_rows.h"
#include "core/store/sqlite_statement.h"
#include "core/store/store.h"

namespace temper {
namespace {

// What one batch says about one metric name.
struct BatchFigures {
  const MetricPoint* last = nullptr;  ///< the point with the highest step (the later one on a tie)
  int64_t first_step = 0;
  double min_value = std::numeric_limits<double>::quiet_NaN();  ///< over non-NaN values
  bool increasing = true;                                       ///< steps strictly increase through the batch
};

constexpr const char* kSummaryColumns = "name, last_step, tokens_seen, wall_time_s, last_value, min_value";

// Reads kSummaryColumns starting at `first`.
MetricSummary readSummary(const Statement& row, int first) {
  MetricSummary summary;
  summary.name = row.columnText(first);
  summary.last_step = row.columnInt64(first + 1);
  summary.tokens_seen = row.columnInt64(first + 2);
  summary.wall_time_s = row.columnDouble(first + 3);
  summary.last_value = row.columnDouble(first + 4);  // NULL -> NaN
  summary.min_value = row.columnDouble(first + 5);
  return summary;
}

}  // namespace

void updateMetricSummaries(sqlite3* db, const std::string& run_id, const std::vector<MetricPoint>& points) {
  std::map<std::string_view, BatchFigures> by_name;  // views into `points`, alive for this call
  for (const MetricPoint& point : points) {
    auto [it, first] = by_name.try_emplace(point.name);
    BatchFigures& figures = it->second;
    if (first) {
      figures.first_step = point.step;
    } else if (point.step <= figures.last->step) {
      figures.increasing = false;
    }
    if (first || point.step >= figures.last->step) figures.last = &point;
    if (!std::isnan(point.value) && (std::isnan(figures.min_value) || point.value < figures.min_value)) {
      figures.min_value = point.value;
    }
  }

  Statement previous(db, "SELECT last_step FROM metric_summaries WHERE run_id = ?1 AND name = ?2");
  // min(a, b) is NULL when either is NULL; coalesce keeps whichever exists.
  Statement extend(db,
                   "INSERT INTO metric_summaries (run_id, name, last_step, tokens_seen, wall_time_s, last_value, "
                   "min_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (run_id, name) DO UPDATE SET "
                   "last_step = excluded.last_step, tokens_seen = excluded.tokens_seen, "
                   "wall_time_s = excluded.wall_time_s, last_value = excluded.last_value, "
                   "min_value = coalesce(min(min_value, excluded.min_value), min_value, excluded.min_value)");
  std::optional<Statement> recompute;  // prepared only when a batch rewrites history
  for (const auto& [name, figures] : by_name) {
    previous.reset();
    previous.bind(1, run_id).bind(2, name);
    const bool known = previous.step();
    if (figures.increasing && (!known || figures.first_step > previous.columnInt64(0))) {
      const MetricPoint& last = *figures.last;
      extend.reset();
      extend.bind(1, run_id).bind(2, name).bind(3, last.step).bind(4, last.tokens_seen).bind(5, last.wall_time_s);
      extend.bind(6, last.value).bind(7, figures.min_value);
      extend.run();
      continue;
    }
    // A replaced point may have been the minimum: only the whole series can tell.
    if (!recompute) {
      recompute.emplace(db,
                        "INSERT OR REPLACE INTO metric_summaries (run_id, name, last_step, tokens_seen, wall_time_s, "
                        "last_value, min_value) SELECT run_id, name, step, tokens_seen, wall_time_s, value, "
                        "(SELECT min(value) FROM metrics WHERE run_id = ?1 AND name = ?2) "
                        "FROM metrics WHERE run_id = ?1 AND name = ?2 ORDER BY step DESC LIMIT 1");
    }
    recompute->reset();
    recompute->bind(1, run_id).bind(2, name);
    recompute->run();
  }
}

std::map<std::string, MetricSummary> Store::metricSummaries(const std::string& run_id) const {
  Statement query(connection(), std::string("SELECT ") + kSummaryColumns + " FROM metric_summaries WHERE run_id = ?1");
  query.bind(1, run_id);
  std::map<std::string, MetricSummary> summaries;
  while (query.step()) {
    MetricSummary summary = readSummary(query, 0);
    std::string name = summary.name;
    summaries.emplace(std::move(name), std::move(summary));
  }
  return summaries;
}

std::map<std::string, MetricPoint> Store::lastMetrics(const std::string& run_id) const {
  std::map<std::string, MetricPoint> last;
  for (auto& [name, summary] : metricSummaries(run_id)) {
    last.emplace(name,
                 MetricPoint{summary.last_step, summary.tokens_seen, summary.wall_time_s, name, summary.last_value});
  }
  return last;
}

std::vector<RunOverview> Store::listRunOverviews(const std::vector<std::string>& metric_names) const {
  // A LEFT JOIN keeps runs without points; each run's summary rows are key seeks and come out next
  // to each other (the order is by created_at then the unique id).
  std::string sql = "SELECT " + runColumns("r", false);
  if (metric_names.empty()) {
    sql += " FROM runs r";
  } else {
    sql += std::string(", s.name, s.last_step, s.tokens_seen, s.wall_time_s, s.last_value, s.min_value") +
           " FROM runs r LEFT JOIN metric_summaries s ON s.run_id = r.id AND s.name IN (";
    for (size_t i = 0; i < metric_names.size(); ++i) sql += i ? ", ?" : "?";
    sql += ")";
  }
  sql += " ORDER BY r.created_at DESC, r.id DESC";
  Statement query(connection(), sql);
  for (size_t i = 0; i < metric_names.size(); ++i) query.bind(static_cast<int>(i) + 1, metric_names[i]);

  constexpr int kSummaryFirstColumn = 20;  // after runColumns()' 20
  std::vector<RunOverview> overviews;
  while (query.step()) {
    const std::string id = query.columnText(0);
    if (overviews.empty() || overviews.back().run.id != id) overviews.push_back(RunOverview{readRun(query), {}});
    if (!metric_names.empty() && !query.columnIsNull(kSummaryFirstColumn)) {
      overviews.back().metrics.push_back(readSummary(query, kSummaryFirstColumn));
    }
  }
  return overviews;
}

}  // namespace temper
