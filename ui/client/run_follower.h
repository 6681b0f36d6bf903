#pragma once
/// Follows a run that some other process is training (one started before the studio opened, or
/// from a terminal) by polling the store: new metrics, samples and checkpoints since the last poll
/// become the same events the engine prints, so a run page cannot tell the difference.
#include <QTimer>
#include <map>
#include <optional>
#include <string>

#include "core/store/store.h"
#include "ui/client/run_channel.h"

class QThread;

namespace temper::studio {

class RunFollower : public RunChannel {
  Q_OBJECT
 public:
  static constexpr int kDefaultPollMs = 1000;

  RunFollower(QString database_path, QString workspace, QString run_id, QObject* parent = nullptr);

  /// Waits for a first read still under way on its worker thread.
  ~RunFollower() override;

  /// The run's history so far is read on a worker thread (a follower of its own there, with its own
  /// read-only connection), then arrives as one batch with whatever the first poll adds; then a
  /// poll every `poll_ms`. A follower that resumeFrom() another's read polls on the next
  /// event-loop turn instead.
  void start(int poll_ms = kDefaultPollMs);
  /// One poll now (nothing while the first read is under way); public for tests.
  void poll();
  /// What the store holds that this follower has not read yet (the first time: the run_started
  /// event and the whole history so far), as the events a poll emits, but returned instead of
  /// emitted, and never the run's end. Works without start(): a run view that attaches to a run
  /// some other channel was already following reads the history with a follower of its own.
  /// Errors reading the store come back as malformed lines.
  EventBatch readNew();

  /// How far this follower has read: what one that resumes from it does not send again.
  struct Position {
    bool started_sent = false;
    qint64 pid = 0;
    qint64 max_steps = 0;
    qint64 last_step = 0;
    std::map<std::string, int64_t> read_up_to;
    int64_t samples_cursor = 0;
    qint64 last_checkpoint_step = -1;
  };
  Position position() const;
  /// Goes on from where another follower of the same run got (one that read the history on a
  /// worker thread with its own connection: this one's polls then read only what came since).
  /// Before start().
  void resumeFrom(const Position& position);

  QString runId() const override { return run_id_; }
  bool isActive() const override { return active_; }
  /// SIGTERM to the engine's pid from the store (its clean stop); the store then says cancelled.
  void cancel() override;
  qint64 pid() const { return pid_; }

 private:
  /// Appends what is new to `batch`; nullopt when the run is not in the store. Throws Error.
  std::optional<RunRecord> readInto(EventBatch& batch);
  void appendNewMetrics(EventBatch& batch, const RunRecord& run);
  void appendNewSamples(EventBatch& batch);
  void appendNewCheckpoints(EventBatch& batch);
  EngineEvent makeEvent(const QString& type) const;
  void finish(const RunRecord& run, EventBatch& batch, const QString& status, const QString& reason);

  QString database_path_;
  QString workspace_;
  QString run_id_;
  std::optional<Store> store_;  ///< this (GUI) thread's connection, for the polls after the first read
  QTimer timer_;
  QThread* first_read_ = nullptr;
  EventBatch first_batch_;  ///< the worker's read, sent with the first poll
  bool active_ = false;
  bool started_sent_ = false;
  qint64 pid_ = 0;
  qint64 max_steps_ = 0;
  qint64 last_step_ = 0;  ///< highest step seen in any metric
  /// Per metric name, the highest step already turned into events (Store::metricsSince's cursor).
  std::map<std::string, int64_t> read_up_to_;
  int64_t samples_cursor_ = 0;  ///< Store::samplesAddedSince's position
  qint64 last_checkpoint_step_ = -1;
};

}  // namespace temper::studio
