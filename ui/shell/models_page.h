#pragma once
/// The Models page: the Hugging Face folders the person added (remembered per workspace) and the
/// model of every finished run (`<run dir>/final`, found through the store). Selecting one asks
/// the engine (`temper model inspect DIR --json`) and shows family, shape, dtype, context,
/// vocabulary, tokenizer, chat template, files and size. Actions: export a run's model (`temper
/// export --run ID --out DIR`, with its state shown), a new run from the model (the wizard with
/// that base), open the folder. Both questions go through EngineQueries (ui/client).
#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QSettings>
#include <QWidget>

#include "ui/client/engine_replies.h"

class QFormLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;

namespace temper::studio {

class EngineQueries;
class LibraryModel;
class RunHistoryModel;

class ModelsPage : public QWidget {
  Q_OBJECT

 public:
  /// `engine` (not owned; the main window's EngineSession) inspects and exports.
  ModelsPage(RunHistoryModel* history, QSettings* settings, EngineQueries* engine, QWidget* parent = nullptr);
  ~ModelsPage() override;

  /// The workspace whose list is shown (the engine exports from the workspace it was given).
  void setWorkspace(const QString& workspace);
  /// Reads the added folders and the runs' models again.
  void refresh();
  void addPath(const QString& path);
  void removePath(const QString& path);
  /// Selects the entry of `path` and inspects it; false when it is not in the list.
  bool select(const QString& path);
  /// Exports the model of run `run_id` to `out_dir` with `temper export`; leaving the page cancels it
  /// (the engine writes `DIR.tmp-*` and renames at the end, so the target stays as it was).
  void startExport(const QString& run_id, const QString& out_dir);

  bool isInspecting() const { return inspecting_; }
  bool hasInspection() const { return has_inspection_; }
  const ModelInspection& inspection() const { return inspection_; }
  QString lastError() const { return last_error_; }
  QString selectedPath() const { return selected_; }
  bool isExporting() const { return !export_request_.isNull(); }
  /// What the last export said (its folder and files, or the engine's error).
  QString exportMessage() const;

  LibraryModel* libraryModel() const { return library_; }
  QTableView* libraryView() const { return list_; }
  QPushButton* exportButton() const { return export_button_; }
  QPushButton* newRunButton() const { return new_run_; }
  QPushButton* openFolderButton() const { return open_folder_; }
  QPushButton* removeButton() const { return remove_; }
  QLabel* errorLabel() const { return error_; }
  QLabel* stateLabel() const { return state_; }
  QString summaryValue(const QString& field) const;

 Q_SIGNALS:
  void inspected();
  /// An export ended; `ok` false carries the engine's message.
  void exportFinished(bool ok, const QString& message);
  /// "New run from this model": the wizard's seed (`base`) and its name in the wizard's "Start
  /// from" list ("From model X").
  void newRunRequested(const QJsonObject& seed, const QString& label);

 private:
  void inspectSelected();
  void showInspection();
  void setSummary(const QString& field, const QString& value);
  void updateActions();
  void chooseExportFolder();

  RunHistoryModel* history_;
  QSettings* settings_;
  QString workspace_;
  EngineQueries* engine_;
  LibraryModel* library_;
  QTableView* list_;
  QPushButton* remove_;
  QPushButton* export_button_;
  QPushButton* new_run_;
  QPushButton* open_folder_;
  QLabel* title_;
  QLabel* state_;
  QLabel* error_;
  QProgressBar* busy_;
  QLabel* export_state_;
  QProgressBar* export_busy_;
  QFormLayout* form_;
  QHash<QString, QLabel*> values_;
  QString selected_;
  bool inspecting_ = false;
  ModelInspection inspection_;
  bool has_inspection_ = false;
  QString last_error_;
  QPointer<QObject> export_request_;   ///< the running export's context: deleting it cancels it
  QPointer<QObject> inspect_request_;  ///< likewise for the inspection of the selected model
};

}  // namespace temper::studio
