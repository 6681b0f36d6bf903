#include "core/engine/run_outcome.h"

#include "core/common/error.h"
#include "core/store/records.h"

namespace temper {

std::string_view runStatusName(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::Finished:
      return kRunFinished;
    case RunOutcome::Cancelled:
      return kRunCancelled;
    case RunOutcome::Failed:
      return kRunFailed;
  }
  return kRunFailed;
}

int runExitCode(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::Finished:
      return 0;
    case RunOutcome::Cancelled:
      return kExitStopped;
    case RunOutcome::Failed:
      return exitCodeFor(ErrorKind::TrainingFailed);
  }
  return 1;
}

}  // namespace temper
