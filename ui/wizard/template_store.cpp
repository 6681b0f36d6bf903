#include "ui/wizard/template_store.h"

#include <QJsonDocument>
#include <QSettings>

namespace temper::studio {

namespace {

// All templates live in one JSON value: template names may hold any character, including the '/'
// that QSettings would read as a group separator.
const QString kTemplatesKey = QStringLiteral("wizard/templates");
const QString kLastUsedKey = QStringLiteral("wizard/last_used");

QJsonObject withoutName(QJsonObject config) {
  config.remove(QStringLiteral("name"));
  return config;
}

QJsonObject parse(const QString& text) { return QJsonDocument::fromJson(text.toUtf8()).object(); }

QString serialize(const QJsonObject& object) {
  return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

}  // namespace

QJsonObject TemplateStore::all() const { return parse(settings_->value(kTemplatesKey).toString()); }

void TemplateStore::writeAll(const QJsonObject& templates) {
  settings_->setValue(kTemplatesKey, serialize(templates));
  settings_->sync();
}

QStringList TemplateStore::names() const {
  QStringList names = all().keys();
  names.sort(Qt::CaseInsensitive);
  return names;
}

QJsonObject TemplateStore::load(const QString& name) const { return all().value(name).toObject(); }

void TemplateStore::save(const QString& name, const QJsonObject& config) {
  QJsonObject templates = all();
  templates[name] = withoutName(config);
  writeAll(templates);
}

void TemplateStore::remove(const QString& name) {
  QJsonObject templates = all();
  templates.remove(name);
  writeAll(templates);
}

QJsonObject TemplateStore::lastUsed() const { return parse(settings_->value(kLastUsedKey).toString()); }

void TemplateStore::setLastUsed(const QJsonObject& config) {
  settings_->setValue(kLastUsedKey, serialize(withoutName(config)));
  settings_->sync();
}

}  // namespace temper::studio
