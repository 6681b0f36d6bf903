#pragma once
/// Evaluating one checkpoint from the run view: `temper eval --model DIR --data FILE --json` as a
/// child process (asynchronous), its answer summarised for people: mean NLL and perplexity of a
/// language model on a text file, or a classifier's accuracy, macro-F1 and per-label precision /
/// recall / F1 on labelled records (core/engine/classifier_eval.h).
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

class QProcess;

namespace temper::studio {

class CheckpointEvaluation : public QObject {
  Q_OBJECT

 public:
  explicit CheckpointEvaluation(QObject* parent = nullptr);
  ~CheckpointEvaluation() override;

  /// Starts the evaluation (an earlier one still running is killed).
  void start(const QString& engine, const QString& model_dir, const QString& data_file);
  bool isRunning() const;

  /// One paragraph for the `temper eval --json` answer `result` (either kind).
  static QString summarize(const QJsonObject& result);

 Q_SIGNALS:
  /// `ok` false: `summary` is the engine's error.
  void finished(bool ok, const QString& summary, const QJsonObject& result);

 private:
  QPointer<QProcess> process_;
};

}  // namespace temper::studio
