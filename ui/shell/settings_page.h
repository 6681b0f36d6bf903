#pragma once
/// Settings: workspace folder, engine, threads, default device, theme, language. Every change is
/// saved at once (QSettings) and announced; the window applies what can change live (theme,
/// language, workspace).
#include <QWidget>

#include "ui/shell/app_settings.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace temper::studio {

class SettingsPage : public QWidget {
  Q_OBJECT
 public:
  SettingsPage(AppSettings settings, QString current_workspace, QWidget* parent = nullptr);

  QComboBox* themeBox() const { return theme_; }
  QComboBox* languageBox() const { return language_; }
  QSpinBox* threadsBox() const { return threads_; }
  QComboBox* deviceBox() const { return device_; }
  QLineEdit* workspaceEdit() const { return workspace_; }
  void setCurrentWorkspace(const QString& path);

 Q_SIGNALS:
  void themeChanged(temper::studio::Theme theme);
  void languageChanged(const QString& language);
  /// The person chose another workspace folder (already saved).
  void workspaceChosen(const QString& path);
  /// The engine path or the engine build changed (already saved).
  void engineChoiceChanged();

 private:
  AppSettings settings_;
  QLineEdit* workspace_;
  QComboBox* engine_build_;
  QLineEdit* engine_;
  QSpinBox* threads_;
  QComboBox* device_;
  QComboBox* theme_;
  QComboBox* language_;
};

}  // namespace temper::studio
