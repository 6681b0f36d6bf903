#pragma once
/// The Models page: the Hugging Face folders the person added (remembered per workspace) and the
/// model of every finished run (`<run dir>/final`, found through the store). Selecting one asks
/// the engine (`temper model inspect DIR --json`) and shows family, shape, dtype, context,
/// vocabulary, tokenizer, chat template, files and size. Actions: export a run's model (`temper
/// export --run ID --out DIR`, with its state shown), a new run from the model (the wizard with
/// that base), open the folder. Both questions go through EngineQueries (ui/client). The list, the
/// inspection's states and "New run" are LibraryPage's.
#include "ui/pages/library/library_page.h"

namespace temper::studio {

class RunHistoryModel;

class ModelsPage : public LibraryPage {
  Q_OBJECT

 public:
  /// `engine` (not owned; the main window's EngineSession) inspects and exports.
  ModelsPage(RunHistoryModel* history, QSettings* settings, EngineQueries* engine, QWidget* parent = nullptr);
  ~ModelsPage() override;

  /// Exports the model of run `run_id` to `out_dir` with `temper export`; leaving the page cancels it
  /// (the engine writes `DIR.tmp-*` and renames at the end, so the target stays as it was).
  void startExport(const QString& run_id, const QString& out_dir);

  const ModelInspection& inspection() const { return inspection_; }
  bool isExporting() const { return !export_request_.isNull(); }
  /// What the last export said (its folder and files, or the engine's error).
  QString exportMessage() const;

  QPushButton* exportButton() const { return export_button_; }
  QPushButton* openFolderButton() const { return open_folder_; }

 Q_SIGNALS:
  /// An export ended; `ok` false carries the engine's message.
  void exportFinished(bool ok, const QString& message);

 protected:
  QVector<LibraryEntry> workspaceEntries() const override;
  void askEngine(const QString& path, QObject* context, EngineCallback done) override;
  QString takeAnswer(const QJsonObject& json) override;
  void showAnswer() override;
  void updatePageActions() override;
  QJsonObject newRunSeed() const override;
  QString newRunLabel(const QString& name) const override;

 private:
  static Setup setup();
  void chooseExportFolder();

  RunHistoryModel* history_;
  QPushButton* export_button_;
  QPushButton* open_folder_;
  QLabel* export_state_;
  QProgressBar* export_busy_;
  ModelInspection inspection_;
  QPointer<QObject> export_request_;  ///< the running export's context: deleting it cancels it
};

}  // namespace temper::studio
