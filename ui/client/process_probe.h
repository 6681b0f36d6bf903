#pragma once
/// Is an engine still alive? Used when re-attaching to runs started before the studio opened.
#include <QString>
#include <QtGlobal>

namespace temper::studio {

/// kill(pid, 0): true when a process with that id exists (even one we may not signal).
bool processAlive(qint64 pid);

/// True when some process holds `<workspace>/run.lock` (core/store/workspace_lock.h), i.e. an
/// engine is training in that workspace. Checked by trying the lock without waiting and releasing
/// it at once; the engine's own acquire could lose that microsecond race and say "in use", which
/// is why the studio checks only on start-up and when a followed run stops beating.
bool workspaceLockHeld(const QString& workspace);

}  // namespace temper::studio
