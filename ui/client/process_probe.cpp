#include "ui/client/process_probe.h"

#include <signal.h>

#include <cerrno>

#include "core/common/error.h"
#include "core/store/workspace_lock.h"

namespace temper::studio {

bool processAlive(qint64 pid) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) == 0) return true;
  return errno == EPERM;  // exists, owned by someone else
}

bool workspaceLockHeld(const QString& workspace) {
  try {
    WorkspaceLock lock = WorkspaceLock::acquire(workspace.toStdString(), "temper-studio (checking for live runs)");
    return false;
  } catch (const Error& e) {
    // Busy: an engine holds it. Io (e.g. a read-only workspace): we cannot tell, so we say "held"
    // and never mark a run that might be alive as failed.
    return true;
  }
}

}  // namespace temper::studio
