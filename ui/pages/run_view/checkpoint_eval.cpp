#include "ui/pages/run_view/checkpoint_eval.h"

#include <QJsonArray>
#include <QLocale>

#include "ui/client/engine_queries.h"

namespace temper::studio {

void CheckpointEvaluation::start(EngineQueries* engine, const QString& model_dir, const QString& data_file) {
  delete request_;  // cancels an earlier evaluation: its child is killed, its answer never comes
  auto* request = new QObject(this);
  request_ = request;
  if (!engine) {
    QMetaObject::invokeMethod(
        request,
        [this, request] {
          request_.clear();
          request->deleteLater();
          Q_EMIT finished(false, tr("there is no engine to ask"), {});
        },
        Qt::QueuedConnection);
    return;
  }
  engine->evaluate(model_dir, data_file, request, [this, request](const EngineReply& reply) {
    request_.clear();
    request->deleteLater();
    const QString problem = reply.ok ? checkEvalResult(reply.json) : reply.error;
    if (problem.isEmpty()) {
      Q_EMIT finished(true, summarize(reply.json), reply.json);
    } else {
      Q_EMIT finished(false, problem, {});
    }
  });
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
