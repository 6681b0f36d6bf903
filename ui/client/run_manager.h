#pragma once
/// The studio's live runs: the engine jobs it started and the runs it re-attached to. On start it
/// looks in the store for runs still marked running: a live engine (its pid exists and the
/// workspace lock is held) is followed from the store; a dead one is marked failed. A job that dies
/// without its final event is marked failed in the store too, with its last stderr lines.
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include "ui/client/engine_job.h"
#include "ui/client/run_follower.h"

namespace temper::studio {

class RunManager : public QObject {
  Q_OBJECT
 public:
  /// Why a run found "running" in the store was marked failed on re-attach.
  static QString deadRunReason() { return tr("engine process ended while the studio was closed"); }

  struct ReattachReport {
    QStringList followed;       ///< live runs now followed from the store
    QStringList marked_failed;  ///< runs whose engine had died
    QStringList undecided;      ///< pid gone but another engine holds the workspace: looked at again later
    QString error;              ///< the store could not be read
  };

  RunManager(QString workspace, QString engine_path, QObject* parent = nullptr);
  /// Live jobs are left running (detached): runs outlive the studio unless stopAll() was called.
  ~RunManager() override;

  QString workspace() const { return workspace_; }
  QString databasePath() const;
  void setEnginePath(const QString& path) { engine_path_ = path; }
  QString enginePath() const { return engine_path_; }

  /// Scans the store for runs marked running (see the class comment). Runs already followed or
  /// started here are left alone, so calling it again is cheap and safe.
  ReattachReport reattach(int poll_ms = RunFollower::kDefaultPollMs);

  /// Starts `temper --workspace W --events ARGS` (train / resume) and tracks it.
  EngineJob* startJob(const QStringList& args);
  EngineJob* resume(const QString& run_id, qint64 max_steps = 0);

  /// The live channel of a run, or null.
  RunChannel* channel(const QString& run_id) const;
  QList<RunChannel*> liveChannels() const;
  int liveCount() const;

  /// Cancels every live run and waits up to `timeout_ms` for them to end (processing events).
  /// True when all ended.
  bool stopAll(int timeout_ms);
  /// Forgets every live run without stopping it (the studio closes, the runs go on).
  void detachAll();

 Q_SIGNALS:
  /// A run began to be tracked (started here, or re-attached).
  void channelAdded(temper::studio::RunChannel* channel);
  void liveCountChanged(int count);
  void runEnded(const QString& run_id, const temper::studio::JobOutcome& outcome);

 private:
  void track(RunChannel* channel);
  void onEnded(RunChannel* channel, const JobOutcome& outcome);
  /// Writes `failed` + reason when the store still says running (the engine could not).
  void markFailedIfRunning(const QString& run_id, const QString& reason);

  QString workspace_;
  QString engine_path_;
  QList<QPointer<RunChannel>> channels_;
};

}  // namespace temper::studio
