#include "ui/client/engine_session.h"

#include <QDir>
#include <QJsonDocument>
#include <QTemporaryFile>
#include <QTimer>
#include <utility>

namespace temper::studio {

namespace {

/// Calls `done` with `reply` on the next turn of the event loop, unless `context` is gone by then.
void answerLater(QObject* context, EngineCallback done, const EngineReply& reply) {
  QTimer::singleShot(0, context, [done = std::move(done), reply] { done(reply); });
}

}  // namespace

EngineSession::EngineSession(QString engine, QString workspace, QObject* parent)
    : QObject(parent), engine_(std::move(engine)), workspace_(std::move(workspace)) {}

void EngineSession::setEngine(const QString& engine) {
  if (engine == engine_) return;
  engine_ = engine;
  info_reply_.reset();
  if (info_query_) info_query_->cancel();
  info_query_.clear();                      // the cancelled query goes on the next turn of the event loop
  if (!info_waiters_.isEmpty()) askInfo();  // those waiting get the new engine's answer
}

EngineCommand EngineSession::command(const QStringList& args, const QString& name, int timeout_ms) const {
  EngineCommand command;
  command.engine = engine_;
  command.workspace = workspace_;
  command.args = args;
  command.name = name;
  command.timeout_ms = timeout_ms;
  return command;
}

void EngineSession::askInfo() {
  if (info_reply_ || info_query_) return;
  // `info` describes the engine, not a workspace: no --workspace, and the answer outlives a switch.
  EngineCommand info = command({QStringLiteral("info"), QStringLiteral("--json")}, QStringLiteral("info"), timeout_ms_);
  info.workspace.clear();
  info_query_ = EngineQuery::start(info, this, [this](const EngineReply& reply) { onInfo(reply); });
}

void EngineSession::onInfo(const EngineReply& reply) {
  info_query_.clear();
  if (reply.ok) info_reply_ = reply;
  environment_ = EngineEnvironment::fromReply(reply);
  const QVector<Waiter> waiters = std::exchange(info_waiters_, {});
  Q_EMIT environmentChanged(environment_);
  for (const Waiter& waiter : waiters) {
    if (waiter.context) waiter.done(reply);
  }
}

void EngineSession::info(QObject* context, EngineCallback done) {
  if (info_reply_) {
    answerLater(context, std::move(done), *info_reply_);
    return;
  }
  info_waiters_.push_back({context, std::move(done)});
  askInfo();
}

void EngineSession::inspectModel(const QString& dir, QObject* context, EngineCallback done) {
  EngineQuery::start(command({QStringLiteral("model"), QStringLiteral("inspect"), dir, QStringLiteral("--json")},
                             QStringLiteral("model inspect"), timeout_ms_),
                     context, std::move(done));
}

void EngineSession::inspectData(const QStringList& paths, const QString& tokenizer, QObject* context,
                                EngineCallback done) {
  QStringList args{QStringLiteral("data"), QStringLiteral("inspect")};
  args += paths;
  if (!tokenizer.isEmpty()) args += {QStringLiteral("--tokenizer"), tokenizer};
  args += QStringLiteral("--json");
  EngineQuery::start(command(args, QStringLiteral("data inspect"), timeout_ms_), context, std::move(done));
}

void EngineSession::dryRun(const QJsonObject& config, QObject* context, EngineCallback done) {
  QTemporaryFile file(QDir::tempPath() + QStringLiteral("/temper-dry-run-XXXXXX.json"));
  file.setAutoRemove(false);
  if (!file.open() || file.write(QJsonDocument(config).toJson()) < 0) {
    EngineReply reply;
    reply.exit_code = -1;
    reply.error = tr("Cannot write a temporary config file: %1").arg(file.errorString());
    answerLater(context, std::move(done), reply);
    return;
  }
  file.close();
  EngineCommand dry_run =
      command({QStringLiteral("train"), file.fileName(), QStringLiteral("--dry-run"), QStringLiteral("--json")},
              QStringLiteral("train --dry-run"), timeout_ms_);
  dry_run.temporary_files << file.fileName();
  EngineQuery::start(dry_run, context, std::move(done));
}

void EngineSession::evaluate(const QString& model_dir, const QString& data_file, QObject* context,
                             EngineCallback done) {
  EngineQuery::start(command({QStringLiteral("eval"), QStringLiteral("--model"), model_dir, QStringLiteral("--data"),
                              data_file, QStringLiteral("--json")},
                             QStringLiteral("eval"), 0),
                     context, std::move(done));
}

void EngineSession::exportRun(const QString& run_id, const QString& out_dir, bool merge, QObject* context,
                              EngineCallback done) {
  QStringList args{QStringLiteral("export"), QStringLiteral("--run"), run_id, QStringLiteral("--out"), out_dir};
  if (merge) args << QStringLiteral("--merge");
  args << QStringLiteral("--json");
  EngineQuery::start(command(args, QStringLiteral("export"), 0), context, std::move(done));
}

void EngineSession::scoreAnswer(const QString& model_dir, const QString& prompt, const QString& answer,
                                QObject* context, EngineCallback done) {
  // Loading the model takes the time here, not the one forward pass: no short timeout.
  // `--flag=value`: an answer such as "-3" must not read as a flag.
  EngineQuery::start(
      command({QStringLiteral("reward"), QStringLiteral("--model"), model_dir, QStringLiteral("--prompt=") + prompt,
               QStringLiteral("--completion=") + answer, QStringLiteral("--json")},
              QStringLiteral("reward"), 0),
      context, std::move(done));
}

}  // namespace temper::studio
