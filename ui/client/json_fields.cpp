#include "ui/client/json_fields.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace temper::studio::json_fields {

namespace {

/// The tr() context of these messages (lupdate reads Q_DECLARE_TR_FUNCTIONS); kept as before the
/// helpers moved here, so existing translations still apply.
class Text {
  Q_DECLARE_TR_FUNCTIONS(EngineInfo)
};

}  // namespace

QStringList stringList(const QJsonValue& value) {
  QStringList out;
  for (const QJsonValue& v : value.toArray()) out << v.toString();
  return out;
}

qint64 integer(const QJsonObject& json, const char* key) {
  return static_cast<qint64>(json.value(QLatin1String(key)).toDouble());
}

QString str(const QJsonObject& json, const char* key) { return json.value(QLatin1String(key)).toString(); }

QString requireArray(const QJsonObject& json, const char* key, const char* what) {
  if (!json.value(QLatin1String(key)).isArray()) {
    return Text::tr("`%1`: the field `%2` is missing or not an array").arg(QLatin1String(what), QLatin1String(key));
  }
  return {};
}

}  // namespace temper::studio::json_fields
