#include "ui/wizard/process_engine_queries.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QPointer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryFile>
#include <QTimer>

namespace temper::studio {

namespace {

/// The engine's own message: the last non-empty stderr line without CLI11's "error: " prefix, or
/// the message of an error event on stdout (events are the default when stdout is a pipe).
QString engineMessage(const QByteArray& out, const QByteArray& err) {
  const QList<QByteArray> err_lines = err.split('\n');
  for (auto it = err_lines.rbegin(); it != err_lines.rend(); ++it) {
    QString line = QString::fromUtf8(*it).trimmed();
    if (line.isEmpty()) continue;
    if (line.startsWith(QLatin1String("error: "))) line = line.mid(7);
    return line;
  }
  for (const QByteArray& line : out.split('\n')) {
    const QJsonObject event = QJsonDocument::fromJson(line).object();
    if (event.value(QLatin1String("type")).toString() == QLatin1String("error")) {
      return event.value(QLatin1String("message")).toString();
    }
  }
  return {};
}

}  // namespace

EngineReply replyFromProcessOutput(const QString& command, int exit_code, const QByteArray& out,
                                   const QByteArray& err) {
  EngineReply reply;
  const QString message = engineMessage(out, err);
  if (exit_code != 0) {
    // Exit 2 is "a bad flag": with these messages it means the engine predates the command.
    const bool unknown_command = exit_code == 2 && (message.contains(QLatin1String("subcommand is required")) ||
                                                    message.contains(QLatin1String("not expected")));
    reply.missing = unknown_command;
    reply.error =
        unknown_command
            ? QCoreApplication::translate("EngineQueries", "This engine has no `temper %1 --json` yet (%2); update it.")
                  .arg(command, message)
            : (message.isEmpty() ? QCoreApplication::translate("EngineQueries", "`temper %1` failed with exit code %2.")
                                       .arg(command)
                                       .arg(exit_code)
                                 : message);
    return reply;
  }
  // With --json the whole of stdout is one object; tolerate event lines before it by taking the
  // last line that parses as an object without a "type".
  QJsonParseError parse_error;
  const QJsonDocument doc = QJsonDocument::fromJson(out, &parse_error);
  if (parse_error.error == QJsonParseError::NoError && doc.isObject()) {
    reply.ok = true;
    reply.json = doc.object();
    return reply;
  }
  const QList<QByteArray> lines = out.trimmed().split('\n');
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    const QJsonDocument line_doc = QJsonDocument::fromJson(*it);
    if (line_doc.isObject() && !line_doc.object().contains(QLatin1String("type"))) {
      reply.ok = true;
      reply.json = line_doc.object();
      return reply;
    }
  }
  reply.error = QCoreApplication::translate("EngineQueries", "`temper %1 --json` printed no JSON object (%2).")
                    .arg(command, parse_error.errorString());
  return reply;
}

ProcessEngineQueries::ProcessEngineQueries(QString engine, QString workspace, int timeout_ms)
    : engine_(std::move(engine)), workspace_(std::move(workspace)), timeout_ms_(timeout_ms) {}

QString ProcessEngineQueries::defaultEnginePath() {
  const QString env = qEnvironmentVariable("TEMPER_ENGINE");
  if (!env.isEmpty()) return env;
  const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("temper"));
  if (QFileInfo(beside).isExecutable()) return beside;
  const QString on_path = QStandardPaths::findExecutable(QStringLiteral("temper"));
  return on_path.isEmpty() ? QStringLiteral("temper") : on_path;
}

void ProcessEngineQueries::info(QObject* context, EngineCallback done) {
  run({QStringLiteral("info"), QStringLiteral("--json")}, QStringLiteral("info"), context, std::move(done));
}

void ProcessEngineQueries::inspectModel(const QString& dir, QObject* context, EngineCallback done) {
  run({QStringLiteral("model"), QStringLiteral("inspect"), dir, QStringLiteral("--json")},
      QStringLiteral("model inspect"), context, std::move(done));
}

void ProcessEngineQueries::inspectData(const QStringList& paths, const QString& tokenizer, QObject* context,
                                       EngineCallback done) {
  QStringList args{QStringLiteral("data"), QStringLiteral("inspect")};
  args += paths;
  if (!tokenizer.isEmpty()) args += {QStringLiteral("--tokenizer"), tokenizer};
  args += QStringLiteral("--json");
  run(args, QStringLiteral("data inspect"), context, std::move(done));
}

void ProcessEngineQueries::dryRun(const QJsonObject& config, QObject* context, EngineCallback done) {
  // The config travels as a file, exactly as a real start would read it.
  QTemporaryFile file(QDir::tempPath() + QStringLiteral("/temper-dry-run-XXXXXX.json"));
  file.setAutoRemove(false);
  if (!file.open()) {
    EngineReply reply;
    reply.error = QCoreApplication::translate("EngineQueries", "Cannot write a temporary config file: %1")
                      .arg(file.errorString());
    done(reply);
    return;
  }
  file.write(QJsonDocument(config).toJson());
  file.close();
  run({QStringLiteral("train"), file.fileName(), QStringLiteral("--dry-run"), QStringLiteral("--json")},
      QStringLiteral("train --dry-run"), context, std::move(done), file.fileName());
}

void ProcessEngineQueries::run(const QStringList& args, const QString& command, QObject* context, EngineCallback done,
                               const QString& cleanup_file) {
  auto* process = new QProcess();
  QStringList full_args;
  if (!workspace_.isEmpty()) full_args << QStringLiteral("--workspace") << workspace_;
  full_args += args;
  auto* timer = new QTimer(process);
  timer->setSingleShot(true);
  auto finished = std::make_shared<bool>(false);
  QPointer<QObject> guard(context);
  // Exactly one answer per question, whichever comes first: exit, failure to start, timeout.
  // The process object goes once the child has exited (finished) or never started.
  auto answer = [finished, guard, done, cleanup_file](const EngineReply& reply) {
    if (*finished) return;
    *finished = true;
    if (!cleanup_file.isEmpty()) QFile::remove(cleanup_file);
    if (guard) done(reply);
  };
  QObject::connect(
      process, &QProcess::finished, process, [process, command, answer](int code, QProcess::ExitStatus status) {
        process->deleteLater();
        if (status == QProcess::CrashExit) {
          EngineReply reply;
          reply.error = QCoreApplication::translate("EngineQueries", "`temper %1` crashed.").arg(command);
          answer(reply);
          return;
        }
        answer(
            replyFromProcessOutput(command, code, process->readAllStandardOutput(), process->readAllStandardError()));
      });
  QObject::connect(process, &QProcess::errorOccurred, process, [process, command, answer](QProcess::ProcessError e) {
    if (e != QProcess::FailedToStart) return;  // crashes and timeouts are answered elsewhere
    EngineReply reply;
    reply.missing = true;
    reply.error = QCoreApplication::translate("EngineQueries", "Cannot start the engine `%1`: %2")
                      .arg(process->program(), process->errorString());
    process->deleteLater();
    answer(reply);
  });
  const int timeout_s = timeout_ms_ / 1000;
  QObject::connect(timer, &QTimer::timeout, process, [process, command, answer, timeout_s] {
    EngineReply reply;
    reply.error = QCoreApplication::translate("EngineQueries", "`temper %1` did not answer within %2 s.")
                      .arg(command)
                      .arg(timeout_s);
    answer(reply);
    process->kill();
  });
  process->start(engine_, full_args, QIODevice::ReadOnly);
  timer->start(timeout_ms_);
}

}  // namespace temper::studio
