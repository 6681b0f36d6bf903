#pragma once
/// Keeping metric_summaries (schema version 2) current. Internal to core/store.
#include <string>
#include <vector>

#include "core/store/records.h"

struct sqlite3;

namespace temper {

/// Brings the summary rows of every metric name in `points` up to date after those points were
/// upserted into metrics. Must run inside the caller's write transaction (appendMetrics'), so a
/// reader sees points and summaries change together. A batch whose steps of a name are all new and
/// increasing extends the row in O(1); one that re-logs an old step (a resumed run) or repeats a
/// step recomputes that name's row from metrics, so the row always equals the aggregate.
void updateMetricSummaries(sqlite3* db, const std::string& run_id, const std::vector<MetricPoint>& points);

}  // namespace temper
