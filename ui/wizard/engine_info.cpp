#include "ui/wizard/engine_info.h"

#include <QCoreApplication>
#include <QJsonArray>

#include "ui/client/json_fields.h"

namespace temper::studio {

namespace {

/// The tr() context of these messages (lupdate reads Q_DECLARE_TR_FUNCTIONS).
class Text {
  Q_DECLARE_TR_FUNCTIONS(EngineInfo)
};

using json_fields::integer;
using json_fields::requireArray;
using json_fields::str;
using json_fields::stringList;

}  // namespace

QString parseModelInspection(const QJsonObject& json, ModelInspection& out) {
  if (str(json, "family").isEmpty()) return Text::tr("`temper model inspect`: the field `family` is missing");
  out = ModelInspection{};
  out.family = str(json, "family");
  out.architecture = str(json, "architecture");
  out.model_type = str(json, "model_type");
  out.dtype = str(json, "dtype");
  out.tokenizer = str(json, "tokenizer");
  out.chat_template = str(json, "chat_template");
  out.parameters = integer(json, "parameters");
  out.layers = integer(json, "layers");
  out.hidden = integer(json, "hidden");
  out.heads = integer(json, "heads");
  out.kv_heads = integer(json, "kv_heads");
  out.ctx = integer(json, "ctx");
  out.vocab = integer(json, "vocab");
  out.bytes = integer(json, "bytes");
  out.files = stringList(json.value(QLatin1String("files")));
  if (!str(json, "task").isEmpty()) out.task = str(json, "task");  // engines before classifiers omit it
  out.labels = stringList(json.value(QLatin1String("labels")));
  return {};
}

QString parseDataInspection(const QJsonObject& json, DataInspection& out) {
  if (str(json, "format").isEmpty()) return Text::tr("`temper data inspect`: the field `format` is missing");
  if (QString e = requireArray(json, "preview", "temper data inspect"); !e.isEmpty()) return e;
  out = DataInspection{};
  out.files = json.value(QLatin1String("files")).toInt();
  out.skipped_files = json.value(QLatin1String("skipped_files")).toInt();
  out.format = str(json, "format");
  out.fields = stringList(json.value(QLatin1String("fields")));
  out.records = integer(json, "records");
  out.documents = integer(json, "documents");
  out.bytes = integer(json, "bytes");
  if (json.contains(QLatin1String("tokens"))) out.tokens = integer(json, "tokens");
  for (const QJsonValue& record : json.value(QLatin1String("preview")).toArray()) out.preview << record.toObject();
  const QJsonObject labels = json.value(QLatin1String("labels")).toObject();
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    out.labels.append({it.key(), static_cast<qint64>(it.value().toDouble())});
  }
  return {};
}

QString parseMemoryEstimate(const QJsonObject& reply, MemoryEstimate& out) {
  // The engine nests the estimate beside what it resolved (method, seq_len…); the contract has it
  // at the top. Both are read.
  const QJsonObject json =
      reply.value(QLatin1String("estimate")).isObject() ? reply.value(QLatin1String("estimate")).toObject() : reply;
  const QJsonObject bytes = json.value(QLatin1String("bytes")).toObject();
  if (!bytes.contains(QLatin1String("total")))
    return Text::tr("`temper train --dry-run`: the field `bytes.total` is missing");
  out = MemoryEstimate{};
  out.parameters = integer(json, "parameters");
  out.trainable_parameters = integer(json, "trainable_parameters");
  out.weights = integer(bytes, "weights");
  out.gradients = integer(bytes, "gradients");
  out.optimizer = integer(bytes, "optimizer");
  out.activations = integer(bytes, "activations");
  out.total = integer(bytes, "total");
  out.device = str(json, "device");
  return {};
}

QString formatCount(qint64 n) {
  const double v = static_cast<double>(n);
  auto fmt = [](double x, const char* unit) {
    return QStringLiteral("%1 %2").arg(QString::number(x, 'f', x < 10 ? 2 : (x < 100 ? 1 : 0)), QLatin1String(unit));
  };
  if (n >= 1000000000) return fmt(v / 1e9, "B");
  if (n >= 1000000) return fmt(v / 1e6, "M");
  if (n >= 1000) return fmt(v / 1e3, "k");
  return QString::number(n);
}

QString formatBytes(qint64 n) {
  const double v = static_cast<double>(n);
  auto fmt = [](double x, const char* unit) {
    return QStringLiteral("%1 %2").arg(QString::number(x, 'f', x < 10 ? 2 : (x < 100 ? 1 : 0)), QLatin1String(unit));
  };
  if (n >= (qint64(1) << 30)) return fmt(v / double(qint64(1) << 30), "GiB");
  if (n >= (qint64(1) << 20)) return fmt(v / double(qint64(1) << 20), "MiB");
  if (n >= (qint64(1) << 10)) return fmt(v / 1024.0, "KiB");
  return QStringLiteral("%1 B").arg(n);
}

}  // namespace temper::studio
