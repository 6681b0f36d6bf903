#pragma once
/// The engine's answers as plain structs (the JSON of docs/cli.md / the engine contract), parsed
/// once so that pages never dig in JSON.
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QVector>
#include <optional>

#include "ui/client/engine_info.h"  // EngineInfo, parseEngineInfo: shared with the status bar

namespace temper::studio {

struct ModelInspection {
  QString family, architecture, model_type, dtype, tokenizer, chat_template;
  qint64 parameters = 0, layers = 0, hidden = 0, heads = 0, kv_heads = 0, ctx = 0, vocab = 0, bytes = 0;
  QStringList files;
  QString task = QStringLiteral("causal-lm");  ///< or "sequence-classification" (a classifier)
  QStringList labels;                          ///< a classifier's labels in id order
  bool isClassifier() const { return task == QLatin1String("sequence-classification"); }
};

struct DataInspection {
  int files = 0, skipped_files = 0;
  QString format;
  QStringList fields;
  qint64 records = 0, documents = 0, bytes = 0;
  std::optional<qint64> tokens;  ///< only when a tokenizer was given
  QVector<QJsonObject> preview;
  QVector<QPair<QString, qint64>> labels;  ///< text-label data only
};

struct MemoryEstimate {
  qint64 parameters = 0, trainable_parameters = 0;
  qint64 weights = 0, gradients = 0, optimizer = 0, activations = 0, total = 0;
  QString device;
};

/// Each parser (and parseEngineInfo, ui/client/engine_info.h) fills `out` and returns an empty string, or returns what
/// is wrong with the JSON (naming the field), so a malformed answer is reported rather than half-shown.
QString parseModelInspection(const QJsonObject& json, ModelInspection& out);
QString parseDataInspection(const QJsonObject& json, DataInspection& out);
QString parseMemoryEstimate(const QJsonObject& json, MemoryEstimate& out);

/// "1.2 M", "124 M", "1.1 B": parameter counts as people say them.
QString formatCount(qint64 n);
/// "512 KiB", "1.4 GiB".
QString formatBytes(qint64 n);

}  // namespace temper::studio
