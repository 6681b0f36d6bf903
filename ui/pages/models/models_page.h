#pragma once
/// The Models page: the Hugging Face folders the person added (remembered per workspace) and the
/// model of every finished run (`<run dir>/final`, found through the store), as a tree (model_tree.h):
/// the adapters and soft prompts trained on a model are its children, "one frozen model, many
/// tasks". Selecting a row asks the engine (`temper model inspect DIR --json`) and shows the
/// model's family, shape, dtype, context, vocabulary, tokenizer, chat template, files and size, or
/// the adapter's kind, base and settings. Actions: open in the Playground (an adapter: its base
/// with the adapter on), evaluate on a file (`temper eval`), export a run's model (`temper export
/// --run ID --out DIR`, `--merge` for a LoRA adapter), delete an adapter (its run's final/), a new
/// run from the model (the wizard with that base), open the folder. The engine's questions go
/// through EngineQueries (ui/client). The list, the inspection's states and "New run" are
/// LibraryPage's.
#include <functional>

#include "ui/pages/library/library_page.h"

namespace temper::studio {

class CheckpointEvaluation;
class ModelTreeModel;
class RunHistoryModel;
struct ModelRow;

class ModelsPage : public LibraryPage {
  Q_OBJECT

 public:
  /// `engine` (not owned; the main window's EngineSession) inspects and exports.
  ModelsPage(RunHistoryModel* history, QSettings* settings, EngineQueries* engine, QWidget* parent = nullptr);
  ~ModelsPage() override;

  /// Exports the model of run `run_id` to `out_dir` with `temper export` (`merge`: a LoRA adapter
  /// folded into its base); leaving the page cancels it (the engine writes `DIR.tmp-*` and renames
  /// at the end, so the target stays as it was).
  void startExport(const QString& run_id, const QString& out_dir, bool merge = false);
  /// Evaluates the selected row's folder on `data_file` (`temper eval --model DIR --data FILE`).
  bool startEvaluation(const QString& data_file);
  /// Asks, then deletes the selected adapter: its run's final/ folder (the run, its curves and
  /// checkpoints stay). Never a model folder. False when nothing was deleted.
  bool deleteSelectedAdapter();
  /// Says whether another page has a folder loaded (the Playground's active adapter): such an
  /// adapter is not deleted. Unset: nothing is.
  void setFolderInUse(std::function<bool(const QString&)> in_use) { folder_in_use_ = std::move(in_use); }

  const ModelInspection& inspection() const { return inspection_; }
  bool isExporting() const { return !export_request_.isNull(); }
  /// What the last export said (its folder and files, or the engine's error).
  QString exportMessage() const;
  /// What the last evaluation said.
  QString evaluationMessage() const;
  /// A line of an adapter's summary (kind, base, settings, trainable, size), for tests.
  QString adapterValue(const QString& field) const;

  ModelTreeModel* treeModel() const { return tree_; }
  /// The selected row of the tree, or nullptr.
  const ModelRow* selectedRow() const;
  QPushButton* exportButton() const { return export_button_; }
  QPushButton* mergeButton() const { return merge_button_; }
  QPushButton* playgroundButton() const { return playground_button_; }
  QPushButton* evaluateButton() const { return evaluate_button_; }
  QPushButton* deleteButton() const { return delete_button_; }
  QPushButton* openFolderButton() const { return open_folder_; }

 Q_SIGNALS:
  /// An export ended; `ok` false carries the engine's message.
  void exportFinished(bool ok, const QString& message);
  /// An evaluation ended; `ok` false carries the engine's message.
  void evaluationFinished(bool ok, const QString& message);
  /// "Open in Playground": a model folder, or an adapter folder (the Playground loads its base
  /// and puts the adapter on).
  void openInPlaygroundRequested(const QString& dir);

 protected:
  QVector<LibraryEntry> workspaceEntries() const override;
  void askEngine(const QString& path, QObject* context, EngineCallback done) override;
  QString takeAnswer(const QJsonObject& json) override;
  void showAnswer() override;
  void clearAnswer() override;
  void updatePageActions() override;
  QJsonObject newRunSeed() const override;
  QString newRunLabel(const QString& name) const override;

 private:
  static Setup setup();
  void rebuildTree();
  void buildAdapterSummary();
  void setAdapterValue(const QString& field, const QString& value);
  void showAdapterAnswer();
  void chooseExportFolder(bool merge);
  void chooseEvaluationFile();
  /// Why `row` may not be deleted, or empty.
  QString deleteRefusal(const ModelRow& row) const;

  RunHistoryModel* history_;
  ModelTreeModel* tree_;
  std::function<bool(const QString&)> folder_in_use_;
  QPushButton* playground_button_;
  QPushButton* evaluate_button_;
  QPushButton* export_button_;
  QPushButton* merge_button_;
  QPushButton* delete_button_;
  QPushButton* open_folder_;
  QLabel* export_state_;
  QProgressBar* export_busy_;
  QLabel* evaluation_state_;
  QWidget* adapter_summary_;  ///< shown instead of the model summary for an adapter
  QHash<QString, QLabel*> adapter_values_;
  CheckpointEvaluation* evaluator_;
  QString evaluation_heading_;  ///< "<name> on <file>: ", put before the evaluation's answer
  ModelInspection inspection_;
  QJsonObject adapter_;               ///< `model inspect` of an adapter folder; empty for a model
  QPointer<QObject> export_request_;  ///< the running export's context: deleting it cancels it
};

}  // namespace temper::studio
