#pragma once
/// The engine's one-shot questions as the wizard and the pages ask them. EngineSession answers them
/// with the real engine (EngineQuery children); the wizard's tests with a fake.
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "ui/client/engine_query.h"

class QObject;

namespace temper::studio {

/// Asynchronous queries. Each call returns at once; `done` runs later on the caller's thread, and
/// never once `context` has been destroyed: a page may go away mid-query, and a request given a
/// context of its own is cancelled by deleting that context (its child is killed). Implementations
/// may also call `done` before returning (the tests' fake does): callers must set their "pending"
/// state before asking.
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
  /// `temper eval --model DIR --data FILE --json` (no timeout: a large file takes minutes).
  virtual void evaluate(const QString& model_dir, const QString& data_file, QObject* context, EngineCallback done) = 0;
  /// `temper export --run ID --out DIR [--merge] --json` (no timeout: copying a large model takes
  /// minutes). `merge`: a LoRA run's adapter folded into its base, a plain model folder.
  virtual void exportRun(const QString& run_id, const QString& out_dir, bool merge, QObject* context,
                         EngineCallback done) = 0;
  /// `temper reward --model DIR --prompt P --completion C --json`: a reward model's score of one
  /// answer (`reward`), for the wizard's reward preview.
  virtual void scoreAnswer(const QString& model_dir, const QString& prompt, const QString& answer, QObject* context,
                           EngineCallback done) = 0;
};

}  // namespace temper::studio
