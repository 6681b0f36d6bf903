#pragma once
/// One row of the run history: the run record and the figures people sort by.
#include <cmath>
#include <limits>
#include <vector>

#include "core/store/store.h"

namespace temper::studio {

struct RunSummary {
  RunRecord run;
  double last_val_loss = std::numeric_limits<double>::quiet_NaN();
  double best_val_loss = std::numeric_limits<double>::quiet_NaN();
  int64_t steps = 0;         ///< highest step recorded
  int64_t tokens = 0;        ///< tokens seen at that step
  double train_seconds = 0;  ///< training wall time (carried across resumes by the engine)

  /// Training time if recorded, else finished (or now, for a live run) minus started; 0 before start.
  double durationSeconds(double now_unix) const;
};

/// Every run, newest first, with its figures, in one query over the runs and the store's metric
/// summaries (Store::listRunOverviews; config_json left empty: the table does not show it,
/// Store::findRun has it). Steps, tokens and training time are train_loss's last point (val_loss's
/// when a run has no train_loss); best and last validation loss are val_loss's.
std::vector<RunSummary> loadRunSummaries(const Store& store);
/// The figures of one run (a live run's row is refreshed this way while it trains).
RunSummary loadRunSummary(const Store& store, RunRecord run);

}  // namespace temper::studio
