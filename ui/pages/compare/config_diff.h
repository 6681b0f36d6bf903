#pragma once
/// Hyperparameters of several runs side by side: each run's train config flattened to key → text,
/// and the keys split into those whose values differ between the runs (what people compare for)
/// and those all runs share.
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

namespace temper::studio {

/// A train config as key → value text. Nested objects become dotted keys ("a.b"); arrays and
/// numbers are written as compact JSON, so 0.001 and 1e-3 compare equal and 1 and 1.0 too.
QMap<QString, QString> flattenConfig(const QJsonObject& config);

struct ConfigDiff {
  QStringList differing;  ///< keys whose value is not the same in every run (or missing in some), sorted
  QStringList same;       ///< keys every run has with one value, sorted
};

/// Splits the union of the runs' keys. With fewer than two runs nothing differs.
ConfigDiff diffConfigs(const QVector<QMap<QString, QString>>& configs);

}  // namespace temper::studio
