#pragma once
/// SIGINT/SIGTERM ask a run to stop cleanly: the loop finishes its step, writes a checkpoint and
/// records the run as cancelled. A second SIGINT kills the process the usual way.

namespace temper {

/// Installs the handlers (idempotent). Not for use in the studio process.
void installStopHandlers();
bool stopRequested();
/// For tests: request a stop as if a signal had arrived.
void requestStop();

}  // namespace temper
