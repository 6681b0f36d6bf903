#pragma once
/// The studio's preferences, persisted with QSettings (organisation "Temper", application
/// "temper-studio"). Reading returns defaults for keys never written.
#include <QSettings>
#include <QString>

namespace temper::studio {

enum class Theme { FollowSystem, Light, Dark };

class AppSettings {
 public:
  /// `settings` is not owned (tests pass one backed by a temporary file).
  explicit AppSettings(QSettings* settings) : settings_(settings) {}

  /// Workspace folder chosen in Settings; empty means the default (TEMPER_WORKSPACE or
  /// AppDataLocation, as the engine resolves it).
  QString workspace() const;
  void setWorkspace(const QString& path);
  /// Path of the engine; empty = automatic (ui/client/engine_locator.h).
  QString enginePath() const;
  void setEnginePath(const QString& path);
  /// Which engine build when no path is set: "auto", "cpu" or "cuda" (engine_locator.h).
  QString engineBuild() const;
  void setEngineBuild(const QString& build);
  /// Torch threads for new runs; 0 = the engine's choice.
  int threads() const;
  void setThreads(int threads);
  /// "auto", "cpu" or "cuda".
  QString device() const;
  void setDevice(const QString& device);
  Theme theme() const;
  void setTheme(Theme theme);
  /// A locale name ("de", "fr_CA"); empty = the system's.
  QString language() const;
  void setLanguage(const QString& language);

  QSettings* raw() const { return settings_; }

 private:
  QSettings* settings_;
};

/// The workspace the studio opens: `--workspace` if given, else the Settings value, else
/// TEMPER_WORKSPACE, else AppDataLocation (~/.local/share/Temper) — the engine's own default
/// (core/common/workspace_paths.h), so both find the same store.
QString resolveStudioWorkspace(const QString& command_line, const AppSettings& settings);

}  // namespace temper::studio
