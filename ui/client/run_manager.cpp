#include "ui/client/run_manager.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSet>

#include "core/common/error.h"
#include "core/store/store.h"
#include "ui/client/process_probe.h"

namespace temper::studio {

RunManager::RunManager(QString workspace, QString engine_path, QObject* parent)
    : QObject(parent), workspace_(std::move(workspace)), engine_path_(std::move(engine_path)) {}

RunManager::~RunManager() { detachAll(); }

QString RunManager::databasePath() const { return QDir(workspace_).filePath(QStringLiteral("temper.db")); }

RunManager::ReattachReport RunManager::reattach(int poll_ms) {
  ReattachReport report;
  if (!QFileInfo::exists(databasePath())) return report;  // a new workspace has no runs
  std::vector<RunRecord> running;
  try {
    Store store = Store::openReadOnly(databasePath().toStdString());
    for (RunRecord& run : store.listRuns()) {
      if (run.status == kRunRunning) running.push_back(std::move(run));
    }
  } catch (const Error& e) {
    report.error = QString::fromUtf8(e.what());
    return report;
  }
  if (running.empty()) return report;
  // One engine trains per workspace (it holds run.lock for the whole run). If nobody holds the
  // lock, no run can be alive, whatever its pid now names (pids are reused).
  const bool lock_held = workspaceLockHeld(workspace_);
  // Our own children, including one that has not yet printed its run id (it marks the run
  // running in the store just before its run_started event reaches us).
  QSet<qint64> own_pids;
  for (const auto& c : channels_) {
    if (auto* job = qobject_cast<EngineJob*>(c.data()); job && job->pid() > 0) own_pids.insert(job->pid());
  }
  for (const RunRecord& run : running) {
    const QString id = QString::fromStdString(run.id);
    if (channel(id) || own_pids.contains(run.pid)) continue;
    if (!lock_held) {
      markFailedIfRunning(id, deadRunReason());
      report.marked_failed << id;
    } else if (processAlive(run.pid)) {
      auto* follower = new RunFollower(databasePath(), workspace_, id, this);
      track(follower);
      follower->start(poll_ms);
      report.followed << id;
    } else {
      report.undecided << id;
    }
  }
  if (!report.followed.isEmpty()) Q_EMIT liveCountChanged(liveCount());
  return report;
}

EngineJob* RunManager::startJob(const QStringList& args) {
  auto* job = new EngineJob(engine_path_, workspace_, this);
  track(job);
  job->start(args);
  Q_EMIT liveCountChanged(liveCount());  // active only once started
  return job;
}

EngineJob* RunManager::resume(const QString& run_id, qint64 max_steps) {
  return startJob(EngineJob::resumeArgs(run_id, max_steps));
}

void RunManager::track(RunChannel* channel) {
  channels_.push_back(channel);
  connect(channel, &RunChannel::ended, this, [this, channel](const JobOutcome& outcome) { onEnded(channel, outcome); });
  Q_EMIT channelAdded(channel);
  Q_EMIT liveCountChanged(liveCount());
}

void RunManager::onEnded(RunChannel* channel, const JobOutcome& outcome) {
  const QString run_id = outcome.run_id.isEmpty() ? channel->runId() : outcome.run_id;
  if (!run_id.isEmpty() && outcome.status == QLatin1String("failed")) {
    QString reason = outcome.reason;
    if (!outcome.stderr_tail.isEmpty()) {
      reason +=
          QLatin1Char('\n') + outcome.stderr_tail.mid(qMax(0, outcome.stderr_tail.size() - 10)).join(QLatin1Char('\n'));
    }
    markFailedIfRunning(run_id, reason);
  }
  channels_.removeAll(channel);
  Q_EMIT liveCountChanged(liveCount());
  Q_EMIT runEnded(run_id, outcome);
  // Pages may still hold the channel while they show the end: delete it later, not now.
  channel->deleteLater();
}

void RunManager::markFailedIfRunning(const QString& run_id, const QString& reason) {
  try {
    Store store = Store::open(databasePath().toStdString());
    std::optional<RunRecord> run = store.findRun(run_id.toStdString());
    if (run && run->status == kRunRunning) store.finishRun(run->id, "failed", reason.toStdString());
  } catch (const Error& e) {
    qWarning("temper-studio: could not mark run %s failed: %s", qPrintable(run_id), e.what());
  }
}

RunChannel* RunManager::channel(const QString& run_id) const {
  for (const auto& c : channels_) {
    if (c && c->runId() == run_id) return c;
  }
  return nullptr;
}

QList<RunChannel*> RunManager::liveChannels() const {
  QList<RunChannel*> live;
  for (const auto& c : channels_) {
    if (c && c->isActive()) live << c;
  }
  return live;
}

int RunManager::liveCount() const { return static_cast<int>(liveChannels().size()); }

bool RunManager::stopAll(int timeout_ms) {
  for (RunChannel* c : liveChannels()) c->cancel();
  QElapsedTimer timer;
  timer.start();
  while (liveCount() > 0 && timer.elapsed() < timeout_ms) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
  }
  return liveCount() == 0;
}

void RunManager::detachAll() {
  for (const auto& c : channels_) {
    if (auto* job = qobject_cast<EngineJob*>(c.data())) job->detach();
  }
}

}  // namespace temper::studio
