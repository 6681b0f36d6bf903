#pragma once
/// The studio's main window: navigation on the left (Runs, New run, Compare, Label, Playground,
/// Datasets, Models, Settings), pages on the right, a status bar with the workspace, the device and
/// the number of live runs. It owns the run history model, the RunManager of its workspace and the
/// EngineSession every page and wizard asks the engine through (`temper info` once per session).
#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include "ui/client/engine_locator.h"
#include "ui/client/engine_session.h"
#include "ui/shell/app_settings.h"

class QLabel;
class QListWidget;
class QStackedWidget;
class QTabWidget;

namespace temper::studio {

class ComparePage;
class DatasetsPage;
class FinetuneWizard;
class LabelPage;
class ModelsPage;
class PlaygroundPage;
class RunChannel;
class RunHistoryModel;
class RunManager;
class RunView;
class RunsPage;
class SettingsPage;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum Page {
    kRunsPage,
    kNewRunPage,
    kComparePage,
    kLabelPage,
    kPlaygroundPage,
    kDatasetsPage,
    kModelsPage,
    kSettingsPage,
    kPageCount
  };

  /// Opens `workspace` (created if missing), reads its history and re-attaches to live runs.
  MainWindow(QString workspace, AppSettings settings, QWidget* parent = nullptr);
  ~MainWindow() override;

  void showPage(Page page);
  Page currentPage() const;
  /// Opens (or brings forward) the tab of a run.
  RunView* openRun(const QString& run_id);
  /// What the wizard's Launch does: writes `config` to `<workspace>/studio/launches/*.json` (the
  /// studio's thread/device defaults fill keys it lacks), starts `temper train FILE`, opens the
  /// live view, and tags the run once the engine has named it.
  void launch(const QJsonObject& config, const QStringList& tags);
  /// Switches to another workspace; live runs of the old one keep running.
  void openWorkspace(const QString& workspace);

  QString workspace() const { return workspace_; }
  RunHistoryModel* historyModel() const { return model_; }
  RunManager* runManager() const { return manager_; }
  RunsPage* runsPage() const { return runs_page_; }
  SettingsPage* settingsPage() const { return settings_page_; }
  ComparePage* comparePage() const { return compare_page_; }
  DatasetsPage* datasetsPage() const { return datasets_page_; }
  ModelsPage* modelsPage() const { return models_page_; }
  PlaygroundPage* playgroundPage() const { return playground_page_; }
  LabelPage* labelPage() const { return label_page_; }
  /// Shows the Playground with the model folder `dir` (a checkpoint, a run's final/) loading.
  void openInPlayground(const QString& dir);
  /// Opens the Compare page with these runs picked.
  void compareRuns(const QStringList& run_ids);
  QTabWidget* runTabs() const { return run_tabs_; }
  QListWidget* navigation() const { return nav_; }
  QLabel* workspaceLabel() const { return workspace_label_; }
  QLabel* deviceLabel() const { return device_label_; }
  QLabel* liveLabel() const { return live_label_; }
  EngineSession* engineSession() const { return engine_; }
  const EngineEnvironment& engineEnvironment() const { return engine_->environment(); }
  /// The text of Help > About (versions of Qt, LibTorch, SentencePiece as the engine reports them).
  QString aboutText() const;
  /// What closing does with live runs: ask (default), or a fixed answer (tests, --keep-runs).
  enum class CloseChoice { Ask, KeepRunning, StopRuns };
  void setCloseChoice(CloseChoice choice) { close_choice_ = choice; }

 Q_SIGNALS:
  void themeChanged(temper::studio::Theme theme);
  void languageChanged(const QString& language);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  QWidget* buildNewRunPage();
  void connectManager();
  /// A run view wired to the engine (Evaluate) and the Playground (Open in playground).
  RunView* makeRunView();
  void updateLiveCount();
  void refreshLiveRows();
  void reloadHistory();
  /// `initial_config` seeds the pages (a duplicated run's config, or just `data` / `base`).
  /// `label` names the seed in the wizard's "Start from" list (empty: "The run being duplicated").
  void openWizard(const QJsonObject& initial_config, const QString& label = QString());
  void attachJob(RunChannel* channel, const QStringList& tags);
  void duplicateRun(const QString& run_id);
  void resumeRun(const QString& run_id, qint64 max_steps);
  void deleteRun(const QString& run_id);
  void showAbout();
  /// The engine build the Settings and this machine call for (engine_locator.h), asked again when
  /// Settings change.
  EngineChoice currentEngineChoice() const;
  QString enginePath() const { return engine_choice_.path; }
  void showEnvironment(const EngineEnvironment& env);
  /// "CPU build" or "CUDA build, CUDA 13.2", from the engine's own answer.
  QString engineBuildTitle(const EngineEnvironment& env) const;
  /// The processor, its instruction sets and OpenBLAS's kernels, one line each.
  QString cpuText(const EngineEnvironment& env) const;

  QString workspace_;
  AppSettings settings_;
  EngineChoice engine_choice_;  ///< before engine_, which starts with its path
  EngineSession* engine_;       ///< created before the pages that ask it, destroyed after them (~MainWindow)
  RunHistoryModel* model_;
  RunManager* manager_ = nullptr;
  QListWidget* nav_;
  QStackedWidget* stack_;
  QTabWidget* run_tabs_;
  RunsPage* runs_page_;
  SettingsPage* settings_page_;
  ComparePage* compare_page_;
  DatasetsPage* datasets_page_;
  ModelsPage* models_page_;
  PlaygroundPage* playground_page_;
  LabelPage* label_page_;
  QLabel* workspace_label_;
  QLabel* device_label_;
  QLabel* live_label_;
  QHash<QString, QPointer<RunView>> run_views_;
  QTimer live_refresh_;
  CloseChoice close_choice_ = CloseChoice::Ask;
};

}  // namespace temper::studio
