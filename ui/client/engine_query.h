#pragma once
/// One-shot questions to the engine: `temper [--workspace W] COMMAND ... --json` as a child process
/// whose answer is one JSON object (docs/cli.md). Every one-shot command of the studio runs through
/// here (info, model inspect, data inspect, dry run, eval, export); the only other children are
/// training jobs (EngineJob) and chats (ChatSession). GUI thread only.
///
/// Lifetime: a query belongs to the `context` it was asked for. Destroying the context (a page
/// closing, a newer request replacing an older one) destroys the query, which kills the child and
/// answers nothing; so does cancel(). A timeout kills the child and answers that it did not
/// answer. Whichever comes first, the answer comes at most once, never before start() returns, and
/// the query's temporary files are removed.
#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>
#include <functional>

#include "ui/client/engine_replies.h"
#include "ui/client/line_tail.h"

namespace temper::studio {

using EngineCallback = std::function<void(const EngineReply&)>;

/// What to run and how long to wait for it.
struct EngineCommand {
  static constexpr int kDefaultTimeoutMs = 120'000;

  QString engine;                      ///< path of `temper`; empty: the answer says it was not found
  QString workspace;                   ///< passed as --workspace when not empty
  QStringList args;                    ///< the command and its flags, `--json` included
  QString name;                        ///< names the command in messages ("model inspect")
  int timeout_ms = kDefaultTimeoutMs;  ///< 0: none (an export or evaluation may take minutes)
  QStringList temporary_files;         ///< removed when the query ends, however it ends
};

class EngineQuery : public QObject {
  Q_OBJECT

 public:
  /// Starts `command` for `context` (required). `done` runs once with the reply unless the context
  /// is destroyed or the query cancelled first. The query deletes itself once it has answered or
  /// was cancelled: keep it in a QPointer.
  static EngineQuery* start(EngineCommand command, QObject* context, EngineCallback done);
  /// Kills a child still running, without answering.
  ~EngineQuery() override;

  /// Kills the child; `done` is never called.
  void cancel();
  bool isRunning() const { return process_ && process_->state() != QProcess::NotRunning; }
  qint64 processId() const { return process_ ? process_->processId() : 0; }

 private:
  EngineQuery(EngineCommand command, EngineCallback done, QObject* context);
  void begin();
  void onFinished(int exit_code, QProcess::ExitStatus status);
  void onTimeout();
  void answer(const EngineReply& reply);
  /// Stops the child (if any) and the timer, removes the files and lets the query go.
  void end();

  EngineCommand command_;
  EngineCallback done_;
  QProcess* process_ = nullptr;  ///< owned (child object)
  QByteArray out_;
  LineTail stderr_{50};
  QTimer timeout_;
  bool ended_ = false;
};

}  // namespace temper::studio
