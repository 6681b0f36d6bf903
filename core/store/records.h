#pragma once
/// Plain records the experiment store reads and writes. No behaviour, no ownership beyond their
/// own strings; safe to copy between threads. Times are unix seconds (UTC) as doubles; 0 means
/// "not yet" (a run that has not started has started_at == 0).
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace temper {

/// Run lifecycle: created -> running -> finished | failed | cancelled. A run may also go from
/// created straight to failed/cancelled (it failed before the first step).
inline constexpr std::string_view kRunCreated = "created";
inline constexpr std::string_view kRunRunning = "running";
inline constexpr std::string_view kRunFinished = "finished";
inline constexpr std::string_view kRunFailed = "failed";
inline constexpr std::string_view kRunCancelled = "cancelled";

/// True for the three statuses finishRun() accepts.
bool isFinalRunStatus(std::string_view status);

/// What the engine knows when it starts a run. An empty run_dir means "the workspace default",
/// `<folder of temper.db>/runs/<new id>` (WorkspacePaths::runDir), because the id is only known
/// once the store has made it.
struct NewRun {
  // `{}` on every member: callers may write NewRun{.name = "x", .method = "sft"} without
  // -Wmissing-field-initializers noise.
  std::string name{}, method{}, base_model{}, dataset{}, config_json{}, device{}, versions_json{}, run_dir{}, tags{},
      parent_id{};
  int threads = 0;
};

struct RunRecord {
  std::string id{}, name{}, parent_id{}, method{}, base_model{}, dataset{}, config_json{}, status{}, device{},
      versions_json{}, run_dir{}, tags{}, notes{}, error_message{};
  int threads = 0;
  int64_t pid = 0;  ///< 0 when no process owns the run (not started, or finished)
  double created_at = 0, started_at = 0, finished_at = 0, heartbeat_at = 0;
};

/// One scalar of one step. value may be NaN or +-Inf (a diverged loss is worth recording); the
/// store keeps NaN as SQL NULL and gives it back as NaN.
struct MetricPoint {
  int64_t step = 0;
  int64_t tokens_seen = 0;
  double wall_time_s = 0;
  std::string name{};
  double value = 0;
};

/// What the store keeps current for one metric of one run, so that nothing has to aggregate the
/// series to show a run's figures (kept by appendMetrics in the same transaction as the points).
struct MetricSummary {
  std::string name{};
  int64_t last_step = 0;                                         ///< the highest step recorded
  int64_t tokens_seen = 0;                                       ///< at last_step
  double wall_time_s = 0;                                        ///< at last_step
  double last_value = std::numeric_limits<double>::quiet_NaN();  ///< at last_step (NaN if it was NaN)
  double min_value = std::numeric_limits<double>::quiet_NaN();   ///< over the non-NaN values; NaN if none
};

/// A run as a list of runs shows it: the record WITHOUT config_json (left empty: it is kilobytes a
/// run and a list never shows it; Store::findRun has it) and the summaries of the metrics asked for.
struct RunOverview {
  RunRecord run{};
  std::vector<MetricSummary> metrics{};  ///< those of the asked names that the run has recorded

  /// nullptr when the run has no point of that metric (or it was not asked for).
  const MetricSummary* metric(std::string_view name) const {
    for (const MetricSummary& summary : metrics) {
      if (summary.name == name) return &summary;
    }
    return nullptr;
  }
};

struct CheckpointRecord {
  int64_t step = 0;
  int64_t tokens_seen = 0;
  std::string path{};
  double val_loss = std::numeric_limits<double>::quiet_NaN();  ///< NaN when there was no eval
  double created_at = 0;                                       ///< 0 on write means "now"
};

struct SampleRecord {
  int64_t step = 0;
  std::string prompt{}, text{};
  double created_at = 0;  ///< 0 on write means "now"
  /// What the method scored the text with, a JSON object as the `sample` event's `scores`
  /// (GRPO: {"reward": 1.5, "rewards/format": 1}); "{}" (or "" on write) for none.
  std::string scores_json{};
};

}  // namespace temper
