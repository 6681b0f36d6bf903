#include "ui/client/engine_job.h"

#include <signal.h>
#include <unistd.h>

#include <QFileInfo>

namespace temper::studio {

EngineJob::EngineJob(QString engine_path, QString workspace, QObject* parent)
    : RunChannel(parent),
      engine_path_(std::move(engine_path)),
      workspace_(std::move(workspace)),
      process_(new QProcess(this)) {
  connect(process_, &QProcess::readyReadStandardOutput, this, &EngineJob::readStdout);
  connect(process_, &QProcess::readyReadStandardError, this, &EngineJob::readStderr);
  connect(process_, &QProcess::finished, this, &EngineJob::onFinished);
  connect(process_, &QProcess::errorOccurred, this, &EngineJob::onError);
  connect(&coalescer_, &EventCoalescer::batchReady, this, &EngineJob::eventsReady);
  kill_timer_.setSingleShot(true);
  connect(&kill_timer_, &QTimer::timeout, this, [this] {
    if (process_ && process_->state() != QProcess::NotRunning) process_->kill();
  });
  // Own session: a Ctrl+C in the studio's terminal, or the terminal closing, must not reach the run.
  // SIGPIPE ignored (inherited across exec): when the studio goes away the engine's writes to the
  // closed pipe fail with EPIPE instead of killing it. Both calls are async-signal-safe.
  process_->setChildProcessModifier([] {
    ::setsid();
    ::signal(SIGPIPE, SIG_IGN);
  });
}

EngineJob::~EngineJob() {
  if (process_ && process_->state() != QProcess::NotRunning) detach();
}

QStringList EngineJob::trainArgs(const QString& config_file, const QStringList& extra) {
  QStringList args{QStringLiteral("train")};
  if (!config_file.isEmpty()) args << config_file;
  return args + extra;
}

QStringList EngineJob::resumeArgs(const QString& run_id, qint64 max_steps) {
  QStringList args{QStringLiteral("train"), QStringLiteral("--resume"), run_id};
  if (max_steps > 0) args << QStringLiteral("--max-steps") << QString::number(max_steps);
  return args;
}

QStringList EngineJob::arguments() const { return process_ ? process_->arguments() : QStringList{}; }

qint64 EngineJob::pid() const { return process_ ? process_->processId() : 0; }

void EngineJob::start(const QStringList& args) {
  active_ = true;
  QStringList full{QStringLiteral("--workspace"), workspace_, QStringLiteral("--events")};
  full += args;
  if (engine_path_.isEmpty()) {
    // Queued: the caller connects to ended() after start() returns.
    QMetaObject::invokeMethod(
        this,
        [this] {
          end({QStringLiteral("failed"),
               tr("The engine `temper` was not found: set its path in Settings or TEMPER_ENGINE."),
               run_id_,
               -1,
               false,
               {}});
        },
        Qt::QueuedConnection);
    return;
  }
  process_->start(engine_path_, full, QIODevice::ReadOnly);
}

void EngineJob::readStdout() {
  if (!process_) return;
  EventBatch batch;
  parser_.feed(process_->readAllStandardOutput(), batch);
  deliver(batch);
}

void EngineJob::readStderr() {
  if (process_) stderr_.feed(process_->readAllStandardError());
}

void EngineJob::deliver(const EventBatch& batch) {
  for (const EngineEvent& event : batch.events) {
    if (run_id_.isEmpty() && !event.run_id.isEmpty()) {
      run_id_ = event.run_id;
      Q_EMIT runIdKnown(run_id_);
    }
    if (event.isRunEnd()) {
      saw_run_end_ = true;
      run_end_.status = event.text("status");
      run_end_.reason = event.text("reason");
    } else if (event.type == QLatin1String("error")) {
      error_message_ = event.text("message");
    }
  }
  coalescer_.add(batch);
}

void EngineJob::cancel() {
  if (!process_ || process_->state() == QProcess::NotRunning) return;
  cancel_requested_ = true;
  process_->terminate();  // SIGTERM: the engine's clean stop
  kill_timer_.start(kill_after_ms_);
}

void EngineJob::detach() {
  if (!process_) return;
  kill_timer_.stop();
  disconnect(process_, nullptr, this, nullptr);
  process_->closeReadChannel(QProcess::StandardOutput);
  process_->closeReadChannel(QProcess::StandardError);
  // QProcess's destructor kills its child; the run must outlive us, so the QProcess is released
  // on purpose. It still reaps the child when it exits (no zombie) as long as the process lives.
  process_->setParent(nullptr);
  process_ = nullptr;
  active_ = false;
}

void EngineJob::onError(QProcess::ProcessError error) {
  if (error != QProcess::FailedToStart) return;  // crashes arrive through finished()
  end({QStringLiteral("failed"),
       tr("Could not start the engine %1: %2").arg(engine_path_, process_ ? process_->errorString() : QString()),
       run_id_, -1, false, stderr_.lines()});
}

void EngineJob::onFinished(int exit_code, QProcess::ExitStatus status) {
  kill_timer_.stop();
  readStderr();
  if (process_) {
    EventBatch batch;
    parser_.feed(process_->readAllStandardOutput(), batch);
    parser_.finish(batch);
    deliver(batch);
  }
  coalescer_.flush();  // the last events reach pages before the end does

  JobOutcome outcome;
  outcome.run_id = run_id_;
  outcome.stderr_tail = stderr_.lines();
  outcome.crashed = status == QProcess::CrashExit;
  outcome.exit_code = outcome.crashed ? -1 : exit_code;
  if (saw_run_end_) {
    outcome.status = run_end_.status;
    outcome.reason = run_end_.reason;
  } else if (outcome.crashed) {
    outcome.status = QStringLiteral("failed");
    outcome.reason = cancel_requested_ ? tr("The engine did not stop in time after the cancel and was killed.")
                                       : tr("The engine process was killed or crashed.");
  } else if (exit_code == 0) {
    outcome.status = QStringLiteral("finished");
  } else if (exit_code == 130 && cancel_requested_) {
    outcome.status = QStringLiteral("cancelled");
    outcome.reason = tr("Stopped on request.");
  } else {
    outcome.status = QStringLiteral("failed");
    outcome.reason = !error_message_.isEmpty() ? error_message_ : tr("The engine exited with code %1.").arg(exit_code);
  }
  if (outcome.status == QLatin1String("failed") && !saw_run_end_ && error_message_.isEmpty() &&
      !outcome.stderr_tail.isEmpty()) {
    outcome.reason += QLatin1Char(' ') + tr("Last engine output: %1").arg(outcome.stderr_tail.last());
  }
  end(outcome);
}

void EngineJob::end(JobOutcome outcome) {
  if (!active_) return;
  active_ = false;
  Q_EMIT ended(outcome);
}

}  // namespace temper::studio
