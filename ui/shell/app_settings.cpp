#include "ui/shell/app_settings.h"

#include <QDir>
#include <QStandardPaths>

namespace temper::studio {

QString AppSettings::workspace() const { return settings_->value(QStringLiteral("workspace")).toString(); }
void AppSettings::setWorkspace(const QString& path) { settings_->setValue(QStringLiteral("workspace"), path); }
QString AppSettings::enginePath() const { return settings_->value(QStringLiteral("engine")).toString(); }
void AppSettings::setEnginePath(const QString& path) { settings_->setValue(QStringLiteral("engine"), path); }
QString AppSettings::engineBuild() const {
  return settings_->value(QStringLiteral("engine_build"), QStringLiteral("auto")).toString();
}
void AppSettings::setEngineBuild(const QString& build) { settings_->setValue(QStringLiteral("engine_build"), build); }
int AppSettings::threads() const { return settings_->value(QStringLiteral("threads"), 0).toInt(); }
void AppSettings::setThreads(int threads) { settings_->setValue(QStringLiteral("threads"), threads); }
QString AppSettings::device() const {
  return settings_->value(QStringLiteral("device"), QStringLiteral("auto")).toString();
}
void AppSettings::setDevice(const QString& device) { settings_->setValue(QStringLiteral("device"), device); }

Theme AppSettings::theme() const {
  const QString value = settings_->value(QStringLiteral("theme")).toString();
  if (value == QLatin1String("light")) return Theme::Light;
  if (value == QLatin1String("dark")) return Theme::Dark;
  return Theme::FollowSystem;
}

void AppSettings::setTheme(Theme theme) {
  const char* names[] = {"system", "light", "dark"};
  settings_->setValue(QStringLiteral("theme"), QLatin1String(names[static_cast<int>(theme)]));
}

QString AppSettings::language() const { return settings_->value(QStringLiteral("language")).toString(); }
void AppSettings::setLanguage(const QString& language) { settings_->setValue(QStringLiteral("language"), language); }

QString resolveStudioWorkspace(const QString& command_line, const AppSettings& settings) {
  if (!command_line.isEmpty()) return QDir(command_line).absolutePath();
  if (!settings.workspace().isEmpty()) return QDir(settings.workspace()).absolutePath();
  const QString env = qEnvironmentVariable("TEMPER_WORKSPACE");
  if (!env.isEmpty()) return QDir(env).absolutePath();
  // Linux: $XDG_DATA_HOME/Temper, i.e. ~/.local/share/Temper, as resolveWorkspace() in the engine.
  const QString data_home = qEnvironmentVariable("XDG_DATA_HOME");
  if (!data_home.isEmpty()) return QDir(data_home).filePath(QStringLiteral("Temper"));
  return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)).filePath(QStringLiteral("Temper"));
}

}  // namespace temper::studio
