#pragma once
/// How a training run ended, in the three forms people and programs meet it: the loop's
/// RunOutcome, the store's status string (core/store/records.h) and the process's exit code
/// (docs/cli.md). One mapping, so no caller writes a bare status or 130.
#include <string_view>

#include "core/train/trainer.h"

namespace temper {

/// "finished", "cancelled" or "failed".
std::string_view runStatusName(RunOutcome outcome);
/// 0, kExitStopped (130, resumable) or exitCodeFor(ErrorKind::TrainingFailed) (6).
int runExitCode(RunOutcome outcome);

}  // namespace temper
