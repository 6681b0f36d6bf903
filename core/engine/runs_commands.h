#pragma once
/// `temper runs list` and `temper runs show`: the experiment history read from the store. The
/// results carry the records; `toJson()` is the `--json` contract (docs/cli.md); the text tables
/// are app/'s.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/store/records.h"

namespace temper {

struct RunListing {
  RunRecord run;
  std::map<std::string, MetricPoint> last_metrics;  ///< by metric name
};

struct RunsList {
  std::filesystem::path workspace;  ///< its root, for "no runs in …"
  std::vector<RunListing> runs;     ///< newest first
  Json toJson() const;
};

struct RunDetails {
  RunListing listing;
  std::vector<CheckpointRecord> checkpoints;
  std::filesystem::path final_model;
  Json toJson() const;
};

/// `workspace` empty: TEMPER_WORKSPACE or the default. A workspace without a store has no runs.
RunsList listRuns(const std::string& workspace);
/// Error(InvalidConfig) when the store or the run (id or unique prefix) does not exist.
RunDetails showRun(const std::string& workspace, const std::string& run_id);

}  // namespace temper
