#include "ui/pages/compare/config_diff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QSet>
#include <algorithm>

namespace temper::studio {
namespace {

// Shortest round-trip digits, written as Python's repr writes them (config.json is read by people
// used to it): fixed notation for 1e-4 <= |x| < 1e16 (0.0003, not Qt's 3e-04), else an exponent.
// Equal numbers give equal text whatever the file spelled (1e-3 and 0.001, 1 and 1.0).
QString numberText(double x) {
  const QString shortest = QString::number(x, 'g', QLocale::FloatingPointShortest);
  const qsizetype e_at = shortest.indexOf(QLatin1Char('e'));
  if (e_at < 0) return shortest;
  const int exponent = shortest.mid(e_at + 1).toInt();
  if (exponent < -4 || exponent >= 16) return shortest;
  QString mantissa = shortest.left(e_at);
  mantissa.remove(QLatin1Char('-')).remove(QLatin1Char('.'));
  const int decimals = std::max(0, static_cast<int>(mantissa.size()) - 1 - exponent);
  return QString::number(x, 'f', decimals);
}

QString valueText(const QJsonValue& value) {
  switch (value.type()) {
    case QJsonValue::Bool:
      return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
      return numberText(value.toDouble());
    case QJsonValue::String:
      return value.toString();
    case QJsonValue::Array:
      return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
      return QStringLiteral("null");
    default:
      return QString();
  }
}

void flattenInto(const QJsonObject& object, const QString& prefix, QMap<QString, QString>& out) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const QString key = prefix.isEmpty() ? it.key() : prefix + QLatin1Char('.') + it.key();
    if (it.value().isObject()) {
      flattenInto(it.value().toObject(), key, out);
    } else {
      out.insert(key, valueText(it.value()));
    }
  }
}

}  // namespace

QMap<QString, QString> flattenConfig(const QJsonObject& config) {
  QMap<QString, QString> out;
  flattenInto(config, QString(), out);
  return out;
}

ConfigDiff diffConfigs(const QVector<QMap<QString, QString>>& configs) {
  QSet<QString> keys;
  for (const auto& config : configs)
    for (auto it = config.begin(); it != config.end(); ++it) keys.insert(it.key());
  ConfigDiff diff;
  for (const QString& key : keys) {
    bool differs = false;
    if (configs.size() > 1) {
      const auto first = configs.front().constFind(key);
      for (const auto& config : configs) {
        const auto here = config.constFind(key);
        const bool missing_first = first == configs.front().constEnd();
        const bool missing_here = here == config.constEnd();
        if (missing_first != missing_here || (!missing_here && *here != *first)) {
          differs = true;
          break;
        }
      }
    }
    (differs ? diff.differing : diff.same).push_back(key);
  }
  diff.differing.sort();
  diff.same.sort();
  return diff;
}

}  // namespace temper::studio
