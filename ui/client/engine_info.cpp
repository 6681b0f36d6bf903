#include "ui/client/engine_info.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <optional>

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

std::optional<TrainKey::Kind> kindFromName(const QString& name) {
  if (name == QLatin1String("integer")) return TrainKey::Kind::Integer;
  if (name == QLatin1String("number")) return TrainKey::Kind::Number;
  if (name == QLatin1String("text")) return TrainKey::Kind::Text;
  if (name == QLatin1String("choice")) return TrainKey::Kind::Choice;
  if (name == QLatin1String("boolean")) return TrainKey::Kind::Boolean;
  return std::nullopt;
}

}  // namespace

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

QString parseEngineInfo(const QJsonObject& json, EngineInfo& out) {
  out = EngineInfo{};
  out.temper = str(json, "temper");
  out.libtorch = str(json, "libtorch");
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

  for (const char* field : {"methods", "train_keys", "presets"}) {
    if (QString e = requireArray(json, field, "temper info"); !e.isEmpty()) return e;
  }

  const QJsonArray methods = json.value(QLatin1String("methods")).toArray();
  for (int i = 0; i < methods.size(); ++i) {
    const QJsonObject m = methods[i].toObject();
    MethodInfo info{str(m, "name"), str(m, "title"), str(m, "summary"), m.value(QLatin1String("available")).toBool(),
                    str(m, "reason")};
    if (info.name.isEmpty()) return Text::tr("`temper info`: methods[%1] has no `name`").arg(i);
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
  return {};
}

}  // namespace temper::studio
