#pragma once
/// `temper train`: validates the whole config, then runs (or resumes) a training run recorded in
/// the workspace's store and run folder.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace temper {

struct TrainRequest {
  std::optional<std::filesystem::path> config_file;
  std::map<std::string, std::string> flags;  ///< `--KEY VALUE` for the keys of trainKeySpecs()
  std::string workspace;                     ///< empty: TEMPER_WORKSPACE or the default
  std::string resume_run;                    ///< run id (or unique prefix) to continue
  bool events = false;
  bool dry_run = false;  ///< print the memory / parameter estimate and stop (nothing allocated or written)
  bool json = false;     ///< dry run: as JSON
};

/// Exit code: 0 finished, 130 cancelled (checkpoint written), 6 diverged. Errors before the run
/// starts throw temper::Error and leave no run record behind.
int runTrain(const TrainRequest& request);

}  // namespace temper
