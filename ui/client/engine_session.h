#pragma once
/// The studio's engine: which `temper`, in which workspace, and what it said about itself.
/// `temper info --json` is asked once per session and its answer shared by everyone who wants it
/// (the status bar, the About box, each wizard, the pages); every other question is one
/// EngineQuery of its own. The main window owns one session; GUI thread only.
#include <QObject>
#include <QPointer>
#include <QVector>
#include <optional>

#include "ui/client/engine_queries.h"

namespace temper::studio {

class EngineSession : public QObject, public EngineQueries {
  Q_OBJECT

 public:
  /// `engine`: path of `temper` (empty: every answer says it was not found); `workspace`: passed as
  /// --workspace when not empty.
  explicit EngineSession(QString engine, QString workspace = {}, QObject* parent = nullptr);

  QString engine() const { return engine_; }
  QString workspace() const { return workspace_; }
  /// Another engine (the path in Settings changed): what the old one said is forgotten and asked
  /// again of the new one when someone wants it.
  void setEngine(const QString& engine);
  void setWorkspace(const QString& workspace) { workspace_ = workspace; }
  /// Timeout of `info`, inspections and dry runs; evaluations and exports have none.
  void setTimeoutMs(int ms) { timeout_ms_ = ms; }

  /// Asks `temper info --json` unless the engine has answered it already or is being asked;
  /// environmentChanged() follows. A failed answer is not kept: the next ask tries again.
  void askInfo();
  /// The last answer; `available` is false before the first or when the engine could not answer.
  const EngineEnvironment& environment() const { return environment_; }

  /// The kept answer when there is one (delivered on the next turn of the event loop), else asks.
  void info(QObject* context, EngineCallback done) override;
  void inspectModel(const QString& dir, QObject* context, EngineCallback done) override;
  void inspectData(const QStringList& paths, const QString& tokenizer, QObject* context, EngineCallback done) override;
  /// The config travels as a temporary file, exactly as a real start reads it; removed after.
  void dryRun(const QJsonObject& config, QObject* context, EngineCallback done) override;
  void evaluate(const QString& model_dir, const QString& data_file, QObject* context, EngineCallback done) override;
  void exportRun(const QString& run_id, const QString& out_dir, bool merge, QObject* context,
                 EngineCallback done) override;
  void scoreAnswer(const QString& model_dir, const QString& prompt, const QString& answer, QObject* context,
                   EngineCallback done) override;

 Q_SIGNALS:
  /// `temper info` answered, or failed to.
  void environmentChanged(const temper::studio::EngineEnvironment& environment);

 private:
  EngineCommand command(const QStringList& args, const QString& name, int timeout_ms) const;
  void onInfo(const EngineReply& reply);

  struct Waiter {
    QPointer<QObject> context;
    EngineCallback done;
  };

  QString engine_;
  QString workspace_;
  int timeout_ms_ = EngineCommand::kDefaultTimeoutMs;
  std::optional<EngineReply> info_reply_;  ///< a successful `info` answer, kept for the session
  QPointer<EngineQuery> info_query_;
  QVector<Waiter> info_waiters_;
  EngineEnvironment environment_;
};

}  // namespace temper::studio
