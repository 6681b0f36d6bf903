#include "ui/client/engine_replies.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include "ui/client/json_fields.h"

namespace temper::studio {

namespace {

/// The tr() contexts of these messages (lupdate reads Q_DECLARE_TR_FUNCTIONS).
class ReplyText {
  Q_DECLARE_TR_FUNCTIONS(EngineReply)
};
class Text {
  Q_DECLARE_TR_FUNCTIONS(EngineInfo)
};

using json_fields::integer;
using json_fields::requireArray;
using json_fields::str;
using json_fields::stringList;

QString stripErrorPrefix(QString line) {
  line = line.trimmed();
  if (line.startsWith(QLatin1String("error: "))) line = line.mid(7);
  return line;
}

std::optional<TrainKey::Kind> kindFromName(const QString& name) {
  if (name == QLatin1String("integer")) return TrainKey::Kind::Integer;
  if (name == QLatin1String("number")) return TrainKey::Kind::Number;
  if (name == QLatin1String("text")) return TrainKey::Kind::Text;
  if (name == QLatin1String("choice")) return TrainKey::Kind::Choice;
  if (name == QLatin1String("boolean")) return TrainKey::Kind::Boolean;
  return std::nullopt;
}

/// The PEFT kind a key sets when `info` does not say: the engine names it on every train key
/// (`peft`) since the wizard's "What is trained" page, and this copy of its naming rule
/// (core/methods/peft_keys.cpp, peftKindOfKey, plus `prefix-*` for the kind still to come) only
/// serves an older engine and the tests' fake one. Drop it once the fake engine sends `peft`.
QString peftKindOfKeyName(const QString& key) {
  if (key.startsWith(QLatin1String("lora-")) || key.startsWith(QLatin1String("loraplus-")) ||
      key == QLatin1String("use-rslora") || key == QLatin1String("use-dora") || key == QLatin1String("modules-to-save"))
    return QStringLiteral("lora");
  if (key.startsWith(QLatin1String("adapter-"))) return QStringLiteral("adapters");
  if (key.startsWith(QLatin1String("prompt-"))) return QStringLiteral("prompt-tuning");
  if (key.startsWith(QLatin1String("prefix-"))) return QStringLiteral("prefix-tuning");
  return {};
}

/// methods[i]: every field the wizard decides with must be there, of its type.
QString parseMethod(const QJsonObject& m, int i, MethodInfo& out) {
  out = MethodInfo{};
  out.name = str(m, "name");
  if (out.name.isEmpty()) return Text::tr("`temper info`: methods[%1] has no `name`").arg(i);
  auto missing = [&](const char* field, const char* type) {
    return Text::tr("`temper info`: methods[%1] (`%2`) has no `%3` (%4)")
        .arg(i)
        .arg(out.name, QLatin1String(field), QLatin1String(type));
  };
  if (!m.value(QLatin1String("needs_base")).isBool()) return missing("needs_base", "a boolean");
  if (!m.value(QLatin1String("base")).isString()) return missing("base", "a string");
  if (!m.value(QLatin1String("formats")).isArray()) return missing("formats", "an array");
  if (!m.value(QLatin1String("metrics")).isArray()) return missing("metrics", "an array");
  out.title = str(m, "title");
  out.summary = str(m, "summary");
  out.available = m.value(QLatin1String("available")).toBool();
  out.reason = str(m, "reason");
  out.needs_base = m.value(QLatin1String("needs_base")).toBool();
  out.base = str(m, "base");
  out.formats = stringList(m.value(QLatin1String("formats")));
  out.metrics = stringList(m.value(QLatin1String("metrics")));
  out.peft = stringList(m.value(QLatin1String("peft")));
  static const QStringList kBases{QStringLiteral("none"), QStringLiteral("language-model"),
                                  QStringLiteral("language-model-or-classifier")};
  if (!kBases.contains(out.base)) {
    return Text::tr("`temper info`: methods[%1] (`%2`) has base \"%3\"; expected %4")
        .arg(i)
        .arg(out.name, out.base, kBases.join(QStringLiteral(", ")));
  }
  return {};
}

}  // namespace

// --- the reply of one command

QString engineMessage(const QByteArray& out, const QStringList& stderr_lines) {
  for (const QByteArray& line : out.split('\n')) {
    const QJsonObject event = QJsonDocument::fromJson(line).object();
    if (event.value(QLatin1String("type")).toString() == QLatin1String("error")) {
      return stripErrorPrefix(event.value(QLatin1String("message")).toString());
    }
  }
  for (auto it = stderr_lines.rbegin(); it != stderr_lines.rend(); ++it) {
    if (!it->trimmed().isEmpty()) return stripErrorPrefix(*it);
  }
  return {};
}

EngineReply readEngineReply(const QString& command, int exit_code, const QByteArray& out,
                            const QStringList& stderr_lines) {
  EngineReply reply;
  reply.exit_code = exit_code;
  reply.stderr_tail = stderr_lines;
  if (exit_code != 0) {
    const QString message = engineMessage(out, stderr_lines);
    if (exit_code < 0) {
      reply.error = ReplyText::tr("`temper %1` stopped before answering (killed or crashed).").arg(command);
      if (!message.isEmpty()) reply.error += QLatin1Char(' ') + message;
    } else {
      reply.error = message.isEmpty()
                        ? ReplyText::tr("`temper %1` failed with exit code %2.").arg(command).arg(exit_code)
                        : message;
    }
    return reply;
  }
  QJsonParseError parse_error{};
  const QJsonDocument doc = QJsonDocument::fromJson(out, &parse_error);
  if (parse_error.error == QJsonParseError::NoError && doc.isObject()) {
    reply.ok = true;
    reply.json = doc.object();
    return reply;
  }
  const QList<QByteArray> lines = out.trimmed().split('\n');
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    const QJsonDocument line_doc = QJsonDocument::fromJson(*it);
    if (line_doc.isObject() && !line_doc.object().contains(QLatin1String("type"))) {
      reply.ok = true;
      reply.json = line_doc.object();
      return reply;
    }
  }
  reply.error =
      ReplyText::tr("`temper %1 --json` printed no JSON object (%2).").arg(command, parse_error.errorString());
  return reply;
}

// --- `temper info --json`

const TrainKey* EngineInfo::key(const QString& name) const {
  for (const TrainKey& k : train_keys) {
    if (k.key == name) return &k;
  }
  return nullptr;
}

const MethodInfo* EngineInfo::method(const QString& name) const {
  for (const MethodInfo& m : methods) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const PresetInfo* EngineInfo::preset(const QString& name) const {
  for (const PresetInfo& p : presets) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const PeftKindInfo* EngineInfo::peftKind(const QString& name) const {
  for (const PeftKindInfo& k : peft_kinds) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

bool MethodInfo::takesAdapters() const {
  for (const QString& kind : peft) {
    if (kind != QLatin1String("none")) return true;
  }
  return false;
}

QString parseEngineInfo(const QJsonObject& json, EngineInfo& out) {
  out = EngineInfo{};
  out.temper = str(json, "temper");
  out.libtorch = str(json, "libtorch");
  out.cuda_build = str(json, "cuda_build");  // null for the CPU build
  out.sentencepiece = str(json, "sentencepiece");
  out.sqlite = str(json, "sqlite");
  const QJsonObject device = json.value(QLatin1String("device")).toObject();
  out.cuda_available = device.value(QLatin1String("cuda_available")).toBool();
  for (const QJsonValue& d : device.value(QLatin1String("cuda_devices")).toArray()) {
    // Indices, names or objects with a name: show whichever the engine gives.
    if (d.isDouble()) {
      out.cuda_devices << QStringLiteral("cuda:%1").arg(d.toInt());
    } else {
      out.cuda_devices << (d.isObject() ? d.toObject().value(QLatin1String("name")).toString() : d.toString());
    }
  }
  out.cpu_threads = device.value(QLatin1String("cpu_threads")).toInt();
  out.blas = device.value(QLatin1String("blas")).toString();
  const QJsonObject cpu = device.value(QLatin1String("cpu")).toObject();
  out.cpu_model = str(cpu, "model_name");
  out.cpu_features = stringList(cpu.value(QLatin1String("features")));
  const QJsonObject core = device.value(QLatin1String("blas_core")).toObject();
  out.blas_core = str(core, "openblas_core");  // null when the BLAS is not OpenBLAS
  out.blas_core_how = str(core, "how");
  out.blas_warning = str(core, "warning");

  for (const char* field : {"methods", "train_keys", "presets"}) {
    if (QString e = requireArray(json, field, "temper info"); !e.isEmpty()) return e;
  }

  const QJsonArray methods = json.value(QLatin1String("methods")).toArray();
  for (int i = 0; i < methods.size(); ++i) {
    MethodInfo info;
    if (QString e = parseMethod(methods[i].toObject(), i, info); !e.isEmpty()) return e;
    out.methods << info;
  }
  const QJsonArray keys = json.value(QLatin1String("train_keys")).toArray();
  for (int i = 0; i < keys.size(); ++i) {
    const QJsonObject k = keys[i].toObject();
    TrainKey key;
    key.key = str(k, "key");
    if (key.key.isEmpty()) return Text::tr("`temper info`: train_keys[%1] has no `key`").arg(i);
    const auto kind = kindFromName(str(k, "kind"));
    if (!kind) {
      return Text::
          tr("`temper info`: train_keys[%1] (`%2`) has kind \"%3\"; expected integer, number, text, choice or boolean")
              .arg(i)
              .arg(key.key, str(k, "kind"));
    }
    key.kind = *kind;
    key.default_value = k.value(QLatin1String("default"));
    if (key.default_value.isUndefined()) key.default_value = QJsonValue::Null;
    key.min = k.value(QLatin1String("min")).toDouble();
    key.max = k.value(QLatin1String("max")).toDouble();
    key.choices = stringList(k.value(QLatin1String("choices")));
    key.help = str(k, "help");
    key.methods = stringList(k.value(QLatin1String("methods")));
    key.method_defaults = k.value(QLatin1String("method_defaults")).toObject();
    key.peft_kind = k.contains(QLatin1String("peft")) ? str(k, "peft") : peftKindOfKeyName(key.key);
    out.train_keys << key;
  }
  const QJsonArray presets = json.value(QLatin1String("presets")).toArray();
  for (int i = 0; i < presets.size(); ++i) {
    const QJsonObject p = presets[i].toObject();
    PresetInfo preset{str(p, "name"),      integer(p, "layers"), integer(p, "dim"),
                      integer(p, "heads"), integer(p, "ctx"),    integer(p, "parameters")};
    if (preset.name.isEmpty()) return Text::tr("`temper info`: presets[%1] has no `name`").arg(i);
    out.presets << preset;
  }
  // Optional: an engine from before PEFT has none, and its methods take none.
  const QJsonArray kinds = json.value(QLatin1String("peft_kinds")).toArray();
  for (int i = 0; i < kinds.size(); ++i) {
    const QJsonObject k = kinds[i].toObject();
    PeftKindInfo kind{str(k, "name"),    str(k, "title"),
                      str(k, "summary"), k.value(QLatin1String("available")).toBool(),
                      str(k, "reason"),  stringList(k.value(QLatin1String("methods")))};
    if (kind.name.isEmpty()) return Text::tr("`temper info`: peft_kinds[%1] has no `name`").arg(i);
    out.peft_kinds << kind;
  }
  return {};
}

EngineEnvironment EngineEnvironment::fromReply(const EngineReply& reply) {
  EngineEnvironment env;
  if (!reply.ok) {
    env.error = reply.error;
    return env;
  }
  env.available = true;
  // One parser for the whole studio; it reads versions and device before it judges the rest.
  env.catalog_error = parseEngineInfo(reply.json, env.info);
  return env;
}

QString EngineEnvironment::deviceSummary() const {
  class Summary {
    Q_DECLARE_TR_FUNCTIONS(EngineEnvironment)
  };
  if (!available) return Summary::tr("engine info unavailable");
  if (info.cuda_available && !info.cuda_devices.isEmpty()) {
    return Summary::tr("CUDA: %1").arg(info.cuda_devices.join(QStringLiteral(", ")));
  }
  return Summary::tr("CPU, %n thread(s)", nullptr, info.cpu_threads);
}

// --- the other commands

QString parseModelInspection(const QJsonObject& json, ModelInspection& out) {
  for (const char* field : {"family", "task"}) {
    if (str(json, field).isEmpty()) {
      return Text::tr("`temper model inspect`: the field `%1` is missing").arg(QLatin1String(field));
    }
  }
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
  out.task = str(json, "task");
  out.labels = stringList(json.value(QLatin1String("labels")));
  out.modules_listed = json.value(QLatin1String("modules")).isArray();
  for (const QJsonValue& value : json.value(QLatin1String("modules")).toArray()) {
    const QJsonObject m = value.toObject();
    ModuleInfo module{str(m, "name"),    m.value(QLatin1String("block")).toInt(-1),
                      str(m, "role"),    integer(m, "in"),
                      integer(m, "out"), integer(m, "parameters")};
    if (!module.name.isEmpty()) out.modules << module;
  }
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
  out.preference_set = json.value(QLatin1String("preference_set")).toObject();
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
  out.frozen_models = integer(bytes, "frozen_models");  // absent (0) when none is held
  out.total = integer(bytes, "total");
  out.device = str(json, "device");
  return {};
}

QString parseExportResult(const QJsonObject& json, ExportResult& out) {
  if (str(json, "out").isEmpty()) return Text::tr("`temper export`: the field `out` is missing");
  out = ExportResult{};
  out.out = str(json, "out");
  out.files = stringList(json.value(QLatin1String("files")));
  out.bytes = integer(json, "bytes");
  return {};
}

QString checkEvalResult(const QJsonObject& json) {
  if (!json.value(QLatin1String("mean_nll")).isDouble())
    return Text::tr("`temper eval`: the field `mean_nll` is missing");
  return {};
}

}  // namespace temper::studio
