#include "ui/client/engine_query.h"

#include <QFile>

namespace temper::studio {

EngineQuery* EngineQuery::start(EngineCommand command, QObject* context, EngineCallback done) {
  Q_ASSERT(context);
  auto* query = new EngineQuery(std::move(command), std::move(done), context);
  query->begin();
  return query;
}

EngineQuery::EngineQuery(EngineCommand command, EngineCallback done, QObject* context)
    : QObject(context), command_(std::move(command)), done_(std::move(done)) {
  timeout_.setSingleShot(true);
  connect(&timeout_, &QTimer::timeout, this, &EngineQuery::onTimeout);
}

EngineQuery::~EngineQuery() {
  if (process_ && process_->state() != QProcess::NotRunning) {
    process_->disconnect(this);
    process_->kill();
    process_->waitForFinished(1000);  // reaps it: no zombie is left behind
  }
  for (const QString& file : std::as_const(command_.temporary_files)) QFile::remove(file);
}

void EngineQuery::begin() {
  if (command_.engine.isEmpty()) {
    // Queued: the caller has not even stored the query yet.
    QMetaObject::invokeMethod(
        this,
        [this] {
          EngineReply reply;
          reply.exit_code = -1;
          reply.error = tr("The engine `temper` was not found: set its path in Settings or TEMPER_ENGINE.");
          answer(reply);
        },
        Qt::QueuedConnection);
    return;
  }
  process_ = new QProcess(this);
  connect(process_, &QProcess::readyReadStandardOutput, this, [this] { out_ += process_->readAllStandardOutput(); });
  connect(process_, &QProcess::readyReadStandardError, this,
          [this] { stderr_.feed(process_->readAllStandardError()); });
  connect(process_, &QProcess::finished, this, &EngineQuery::onFinished);
  connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
    if (error != QProcess::FailedToStart) return;  // a crash arrives through finished()
    EngineReply reply;
    reply.exit_code = -1;
    reply.error = tr("Cannot start the engine `%1`: %2").arg(process_->program(), process_->errorString());
    answer(reply);
  });
  QStringList args;
  if (!command_.workspace.isEmpty()) args << QStringLiteral("--workspace") << command_.workspace;
  args += command_.args;
  if (command_.timeout_ms > 0) timeout_.start(command_.timeout_ms);
  process_->start(command_.engine, args, QIODevice::ReadOnly);
}

void EngineQuery::onFinished(int exit_code, QProcess::ExitStatus status) {
  out_ += process_->readAllStandardOutput();
  stderr_.feed(process_->readAllStandardError());
  answer(readEngineReply(command_.name, status == QProcess::CrashExit ? -1 : exit_code, out_, stderr_.lines()));
}

void EngineQuery::onTimeout() {
  EngineReply reply;
  reply.exit_code = -1;
  reply.stderr_tail = stderr_.lines();
  reply.error =
      tr("`temper %1` did not answer within %2 s.").arg(command_.name).arg((command_.timeout_ms + 999) / 1000);
  answer(reply);  // end() kills the child
}

void EngineQuery::answer(const EngineReply& reply) {
  if (ended_) return;
  EngineCallback done = std::move(done_);
  end();
  // The caller may destroy the context inside `done`; the query has already left it (end()).
  if (done) done(reply);
}

void EngineQuery::cancel() {
  if (ended_) return;
  done_ = nullptr;
  end();
}

void EngineQuery::end() {
  ended_ = true;
  timeout_.stop();
  if (process_ && process_->state() != QProcess::NotRunning) {
    process_->disconnect(this);
    process_->kill();  // reaped when the query is deleted (QProcess waits for it)
  }
  for (const QString& file : std::as_const(command_.temporary_files)) QFile::remove(file);
  command_.temporary_files.clear();
  setParent(nullptr);
  deleteLater();
}

}  // namespace temper::studio
