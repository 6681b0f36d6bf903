#pragma once
/// The only way the wizard talks to the engine: four questions, each answered asynchronously.
/// Implementations: ProcessEngineQueries (runs `temper ... --json`) and the tests' fake.
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <functional>

class QObject;

namespace temper::studio {

/// One answer from the engine.
struct EngineReply {
  bool ok = false;
  QJsonObject json;      ///< the command's JSON object when ok
  QString error;         ///< a one-line message a person can read when !ok
  bool missing = false;  ///< the engine has no such command yet (older engine); error says which
};

using EngineCallback = std::function<void(const EngineReply&)>;

/// Asynchronous queries. Each call returns at once; `done` runs later on the caller's thread, and
/// never when `context` has been destroyed in the meantime (so a page may go away mid-query).
/// Implementations may also call `done` before returning (the tests' fake does): callers must
/// set their "pending" state before asking.
class EngineQueries {
 public:
  virtual ~EngineQueries() = default;
  /// `temper info --json`: versions, device, methods, train keys, presets.
  virtual void info(QObject* context, EngineCallback done) = 0;
  /// `temper model inspect DIR --json`.
  virtual void inspectModel(const QString& dir, QObject* context, EngineCallback done) = 0;
  /// `temper data inspect PATH... [--tokenizer T] --json`; `tokenizer` may be empty.
  virtual void inspectData(const QStringList& paths, const QString& tokenizer, QObject* context,
                           EngineCallback done) = 0;
  /// `temper train CONFIG --dry-run --json`: validates `config` and estimates memory.
  virtual void dryRun(const QJsonObject& config, QObject* context, EngineCallback done) = 0;
};

}  // namespace temper::studio
