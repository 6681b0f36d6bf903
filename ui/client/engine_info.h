#pragma once
/// The answer of `temper info --json` (docs/cli.md) parsed once, for every part of the studio that
/// reads it: the status bar and About box (EngineEnvironment), the wizard (methods, train keys,
/// presets). Qt Core only. Plain values, safe to copy between threads.
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QVector>

namespace temper::studio {

/// One `temper train` key as `info` describes it.
struct TrainKey {
  enum class Kind { Integer, Number, Text, Choice, Boolean };
  QString key;  ///< kebab-case
  Kind kind = Kind::Text;
  QJsonValue default_value;  ///< Null: no default (the key is optional or required)
  double min = 0, max = 0;   ///< inclusive; meaningful for Integer and Number when min < max
  QStringList choices;
  QString help;
  QStringList methods;          ///< empty: every method uses the key
  QJsonObject method_defaults;  ///< the engine's default for some methods, by method name (optional)

  bool hasRange() const { return max > min; }
  bool appliesTo(const QString& method) const { return methods.isEmpty() || methods.contains(method); }
};

struct MethodInfo {
  QString name, title, summary;
  bool available = false;
  QString reason;  ///< why not, when !available
};

struct PresetInfo {
  QString name;
  qint64 layers = 0, dim = 0, heads = 0, ctx = 0, parameters = 0;
};

struct EngineInfo {
  QString temper, libtorch, sentencepiece, sqlite;
  bool cuda_available = false;
  QStringList cuda_devices;
  int cpu_threads = 0;
  QString blas;
  QVector<MethodInfo> methods;
  QVector<TrainKey> train_keys;
  QVector<PresetInfo> presets;

  const TrainKey* key(const QString& name) const;
  const MethodInfo* method(const QString& name) const;
  const PresetInfo* preset(const QString& name) const;
};

/// Fills `out` from the answer. Returns an empty string, or what is wrong with the JSON naming the
/// field (methods, train_keys and presets must be arrays, each entry named, each key of a known
/// kind), so a malformed answer is reported rather than half-shown. Versions and device are read
/// first and stay in `out` even when the rest is refused: the status bar can still show them.
QString parseEngineInfo(const QJsonObject& json, EngineInfo& out);

}  // namespace temper::studio
