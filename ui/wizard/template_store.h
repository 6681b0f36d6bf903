#pragma once
/// Templates (named configs) and the last used config, kept in QSettings. The QSettings object is
/// the caller's, so tests use a file of their own and never touch the user's settings.
#include <QJsonObject>
#include <QStringList>

class QSettings;

namespace temper::studio {

class TemplateStore {
 public:
  /// `settings` is not owned and must outlive the store.
  explicit TemplateStore(QSettings* settings) : settings_(settings) {}

  /// Template names, sorted.
  QStringList names() const;
  /// The config saved under `name`, or an empty object.
  QJsonObject load(const QString& name) const;
  /// Saves `config` under `name` (replacing one of that name) without its run `name` key:
  /// a template is a recipe, not a run.
  void save(const QString& name, const QJsonObject& config);
  void remove(const QString& name);

  QJsonObject lastUsed() const;
  void setLastUsed(const QJsonObject& config);

 private:
  QJsonObject all() const;
  void writeAll(const QJsonObject& templates);

  QSettings* settings_;
};

}  // namespace temper::studio
