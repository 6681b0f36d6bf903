#pragma once
/// EngineQueries over the `temper` executable: each question is one child process whose stdout is
/// one JSON object (docs/cli.md, `--json`). Nothing blocks the UI: the child runs while the event
/// loop turns, and a timeout kills it.
#include <QString>

#include "ui/wizard/engine_queries.h"

namespace temper::studio {

class ProcessEngineQueries : public EngineQueries {
 public:
  /// `engine`: path of `temper`; `workspace`: passed as --workspace when not empty.
  explicit ProcessEngineQueries(QString engine, QString workspace = {}, int timeout_ms = 120000);

  /// The engine the studio should use: $TEMPER_ENGINE, else `temper` next to the running
  /// executable, else `temper` on PATH.
  static QString defaultEnginePath();

  void info(QObject* context, EngineCallback done) override;
  void inspectModel(const QString& dir, QObject* context, EngineCallback done) override;
  void inspectData(const QStringList& paths, const QString& tokenizer, QObject* context, EngineCallback done) override;
  void dryRun(const QJsonObject& config, QObject* context, EngineCallback done) override;

 private:
  /// Runs the engine with `args`; `command` names it in messages ("model inspect").
  /// `cleanup_file` (may be empty) is removed when the child is done.
  void run(const QStringList& args, const QString& command, QObject* context, EngineCallback done,
           const QString& cleanup_file = {});

  QString engine_;
  QString workspace_;
  int timeout_ms_;
};

/// Turns a finished child's output into a reply (exposed for tests). A zero exit with one JSON
/// object on stdout is ok; an engine that does not know `command` (CLI11's "subcommand is
/// required" / "not expected") is `missing`; any other failure carries the engine's message.
EngineReply replyFromProcessOutput(const QString& command, int exit_code, const QByteArray& out, const QByteArray& err);

}  // namespace temper::studio
