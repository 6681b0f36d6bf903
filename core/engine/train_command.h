#pragma once
/// `temper train`: validates the whole config, then runs (or resumes) a training run recorded in
/// the workspace's store and run folder. Plan (validate, nothing written) -> record (the run row
/// and folder) -> run (the loop, its events and metrics). Returns what happened; `app/` prints it.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/common/json_io.h"
#include "core/train/trainer.h"

namespace temper {

struct TrainRequest {
  std::optional<std::filesystem::path> config_file;
  std::map<std::string, std::string> flags;  ///< `--KEY VALUE` for the keys of trainKeySpecs()
  std::string workspace;                     ///< empty: TEMPER_WORKSPACE or the default
  std::string resume_run;                    ///< run id (or unique prefix) to continue
  bool events = false;
};

struct TrainResult {
  std::string run_id;
  RunOutcome outcome = RunOutcome::Finished;
  std::string reason;  ///< why it stopped or failed, for people
  int64_t step = 0;
  std::filesystem::path run_dir;
  std::filesystem::path database;
  /// runExitCode(outcome): 0 finished, 130 cancelled (checkpoint written), 6 diverged.
  int exitCode() const;
};

/// Trains. Errors before the run starts throw temper::Error and leave no run record behind; an
/// error during the run marks it failed and is rethrown.
TrainResult runTrain(const TrainRequest& request);

/// `temper train --dry-run`: validates what can be validated without loading (base folder, data
/// paths, keys) and estimates parameters and memory (dry_run.h). Nothing is allocated or written.
Json dryRunTrain(const TrainRequest& request);

}  // namespace temper
