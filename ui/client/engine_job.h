#pragma once
/// One `temper` child process: a training run, a resume, or a one-shot command. Reads its stdout
/// events incrementally, coalesces them (EventCoalescer) and keeps the last stderr lines.
///
/// The child runs in its own session with SIGPIPE ignored, so it survives the studio: closing the
/// studio (or its crash) closes the pipes, the engine's writes to them fail quietly, and the run
/// goes on recording to the store, from which the next studio re-attaches (RunManager).
#include <QProcess>
#include <QStringList>
#include <QTimer>

#include "ui/client/event_coalescer.h"
#include "ui/client/event_line_parser.h"
#include "ui/client/line_tail.h"
#include "ui/client/run_channel.h"

namespace temper::studio {

class EngineJob : public RunChannel {
  Q_OBJECT
 public:
  /// Seconds between SIGTERM and SIGKILL when cancelling: enough to finish the step and write a
  /// checkpoint of a large model.
  static constexpr int kDefaultKillAfterMs = 60'000;

  EngineJob(QString engine_path, QString workspace, QObject* parent = nullptr);
  /// Stops reading; the child keeps running unless cancel() or stopNow() was called before.
  ~EngineJob() override;

  /// Starts `engine --workspace W --events ARGS...`. A failure to start is reported through
  /// ended() (status failed, the reason names the program), never thrown.
  void start(const QStringList& args);

  /// `train [config.json] [--key value ...]`
  static QStringList trainArgs(const QString& config_file, const QStringList& extra = {});
  /// `train --resume ID [--max-steps N]` (N > 0 extends a finished run).
  static QStringList resumeArgs(const QString& run_id, qint64 max_steps = 0);

  QString runId() const override { return run_id_; }
  bool isActive() const override { return active_; }
  /// SIGTERM (the engine stops cleanly at the next step boundary and writes a checkpoint), then
  /// SIGKILL if it has not exited after `killAfterMs()`.
  void cancel() override;
  void setKillAfterMs(int ms) { kill_after_ms_ = ms; }
  int killAfterMs() const { return kill_after_ms_; }

  /// Lets the child run on without us: stops reading its output and forgets it (used when the
  /// studio closes and the person keeps runs running). No signal is emitted afterwards.
  void detach();

  qint64 pid() const;
  QStringList stderrTail() const { return stderr_.lines(); }
  const QString& enginePath() const { return engine_path_; }
  QStringList arguments() const;
  /// Latency of coalescing; tests shorten it.
  EventCoalescer& coalescer() { return coalescer_; }

 private:
  void readStdout();
  void readStderr();
  void onFinished(int exit_code, QProcess::ExitStatus status);
  void onError(QProcess::ProcessError error);
  void deliver(const EventBatch& batch);
  void end(JobOutcome outcome);

  QString engine_path_;
  QString workspace_;
  QProcess* process_;  ///< owned; deliberately leaked by detach() so its destructor cannot kill the child
  EventLineParser parser_;
  EventCoalescer coalescer_;
  LineTail stderr_{50};
  QTimer kill_timer_;
  int kill_after_ms_ = kDefaultKillAfterMs;
  QString run_id_;
  bool active_ = false;
  bool cancel_requested_ = false;
  bool saw_run_end_ = false;
  JobOutcome run_end_;     ///< from the final run event, when there was one
  QString error_message_;  ///< from an `error` event
};

}  // namespace temper::studio
