#pragma once
/// Evaluating one checkpoint from the run view: `temper eval --model DIR --data FILE --json`
/// (EngineQueries::evaluate, asynchronous), its answer summarised for people: mean NLL and
/// perplexity of a language model on a text file, or a classifier's accuracy, macro-F1 and
/// per-label precision / recall / F1 on labelled records (core/engine/classifier_eval.h).
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

namespace temper::studio {

class EngineQueries;

class CheckpointEvaluation : public QObject {
  Q_OBJECT

 public:
  using QObject::QObject;

  /// Starts the evaluation with `engine` (not owned); an earlier one still running is cancelled
  /// (its child killed). Leaving the view cancels it too.
  void start(EngineQueries* engine, const QString& model_dir, const QString& data_file);
  bool isRunning() const { return !request_.isNull(); }

  /// One paragraph for the `temper eval --json` answer `result` (either kind).
  static QString summarize(const QJsonObject& result);

 Q_SIGNALS:
  /// `ok` false: `summary` is the engine's error.
  void finished(bool ok, const QString& summary, const QJsonObject& result);

 private:
  QPointer<QObject> request_;  ///< the running evaluation's context: deleting it cancels it
};

}  // namespace temper::studio
