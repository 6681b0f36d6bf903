#include "ui/shell/checkpoint_eval.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QProcess>
#include <QStringList>

namespace temper::studio {

CheckpointEvaluation::CheckpointEvaluation(QObject* parent) : QObject(parent) {}

CheckpointEvaluation::~CheckpointEvaluation() {
  if (process_) {
    process_->disconnect(this);
    process_->kill();
    process_->waitForFinished(1000);
  }
}

bool CheckpointEvaluation::isRunning() const { return !process_.isNull(); }

void CheckpointEvaluation::start(const QString& engine, const QString& model_dir, const QString& data_file) {
  if (process_) {
    process_->disconnect(this);
    process_->kill();
    process_->deleteLater();
  }
  auto* process = new QProcess(this);
  process_ = process;
  connect(process, &QProcess::finished, this, [this, process](int code, QProcess::ExitStatus status) {
    process->deleteLater();
    if (process != process_) return;
    process_ = nullptr;
    QJsonObject result;
    QString error;
    // With stdout a pipe the engine writes failures as `error` events; the answer is the object
    // without a `type`.
    for (const QByteArray& line : process->readAllStandardOutput().split('\n')) {
      const QJsonObject object = QJsonDocument::fromJson(line).object();
      if (object.value(QStringLiteral("type")).toString() == QLatin1String("error")) {
        error = object.value(QStringLiteral("message")).toString();
      } else if (object.contains(QStringLiteral("mean_nll"))) {
        result = object;
      }
    }
    if (status == QProcess::NormalExit && code == 0 && !result.isEmpty()) {
      Q_EMIT finished(true, summarize(result), result);
      return;
    }
    if (error.isEmpty()) {
      const QStringList lines = QString::fromUtf8(process->readAllStandardError()).trimmed().split('\n');
      error = status == QProcess::CrashExit ? tr("the engine stopped (killed or crashed)")
                                            : tr("exit code %1: %2").arg(code).arg(lines.last());
    }
    Q_EMIT finished(false, error, {});
  });
  connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
    if (error != QProcess::FailedToStart || process != process_) return;
    process_ = nullptr;
    process->deleteLater();
    Q_EMIT finished(false, tr("could not start the engine (%1): %2").arg(process->program(), process->errorString()),
                    {});
  });
  process->start(engine, {QStringLiteral("eval"), QStringLiteral("--model"), model_dir, QStringLiteral("--data"),
                          data_file, QStringLiteral("--json")});
}

QString CheckpointEvaluation::summarize(const QJsonObject& r) {
  const QLocale locale;
  auto num = [&locale](const QJsonValue& v, int decimals) { return locale.toString(v.toDouble(), 'f', decimals); };
  if (r.value(QStringLiteral("task")).toString() == QLatin1String("classify")) {
    QString text = tr("accuracy %1 · macro-F1 %2 · mean NLL %3 on %4 records")
                       .arg(num(r.value(QStringLiteral("accuracy")), 3), num(r.value(QStringLiteral("macro_f1")), 3),
                            num(r.value(QStringLiteral("mean_nll")), 4))
                       .arg(r.value(QStringLiteral("examples")).toInteger());
    if (r.value(QStringLiteral("truncated")).toInteger() > 0) {
      text += tr(" (%1 cut to the model's context)").arg(r.value(QStringLiteral("truncated")).toInteger());
    }
    const QJsonObject per_label = r.value(QStringLiteral("per_label")).toObject();
    for (const QJsonValue& name : r.value(QStringLiteral("labels")).toArray()) {
      const QJsonObject l = per_label.value(name.toString()).toObject();
      text += tr("\n  %1: precision %2, recall %3, F1 %4 (%5 records)")
                  .arg(name.toString(), num(l.value(QStringLiteral("precision")), 3),
                       num(l.value(QStringLiteral("recall")), 3), num(l.value(QStringLiteral("f1")), 3))
                  .arg(l.value(QStringLiteral("support")).toInteger());
    }
    return text;
  }
  return tr("mean NLL %1 · perplexity %2 over %3 predicted tokens")
      .arg(num(r.value(QStringLiteral("mean_nll")), 4), num(r.value(QStringLiteral("perplexity")), 3))
      .arg(r.value(QStringLiteral("predicted_tokens")).toInteger());
}

}  // namespace temper::studio
