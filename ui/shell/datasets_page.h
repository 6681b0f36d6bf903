#pragma once
/// The Datasets page: the data files and folders the person added (remembered per workspace) and
/// the datasets prepared in the workspace (`<workspace>/datasets/*/meta.json`, written when a run
/// tokenises its data). Selecting one asks the engine (`temper data inspect PATH --json` through
/// EngineQueries: the window never waits) and shows the format, the fields used, the counts, the labels
/// of classification data, the first records (the selected one whole), or the engine's error with its file and line.
#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QSettings>
#include <QWidget>

#include "ui/client/engine_replies.h"

class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace temper::studio {

class DataPreviewModel;
class EngineQueries;
class LibraryModel;

class DatasetsPage : public QWidget {
  Q_OBJECT

 public:
  /// `engine` (not owned; the main window's EngineSession) inspects the data.
  DatasetsPage(QSettings* settings, EngineQueries* engine, QWidget* parent = nullptr);
  ~DatasetsPage() override;

  /// The workspace whose list is shown; re-reads the list.
  void setWorkspace(const QString& workspace);
  /// Reads the added paths and the workspace's prepared datasets again.
  void refresh();
  /// Adds a file or folder to this workspace's list (remembered) and selects it.
  void addPath(const QString& path);
  /// Removes an added path from the list (the files stay where they are).
  void removePath(const QString& path);
  /// Selects the entry of `path` and inspects it; false when it is not in the list.
  bool select(const QString& path);

  bool isInspecting() const { return inspecting_; }
  /// The last successful inspection of the selected entry (valid while hasInspection()).
  const DataInspection& inspection() const { return inspection_; }
  bool hasInspection() const { return has_inspection_; }
  /// The engine's message when the last inspection failed, else empty.
  QString lastError() const { return last_error_; }
  QString selectedPath() const { return selected_; }

  LibraryModel* libraryModel() const { return library_; }
  DataPreviewModel* previewModel() const { return preview_; }
  QTableView* libraryView() const { return list_; }
  QTableView* previewView() const { return preview_view_; }
  /// The whole of the record selected in the preview, as indented JSON.
  QPlainTextEdit* recordView() const { return record_; }
  QLineEdit* tokenizerEdit() const { return tokenizer_; }
  QPushButton* newRunButton() const { return new_run_; }
  QPushButton* removeButton() const { return remove_; }
  QLabel* errorLabel() const { return error_; }
  QLabel* stateLabel() const { return state_; }
  /// The value shown for a summary line ("Format", "Records"…), for tests.
  QString summaryValue(const QString& field) const;

 Q_SIGNALS:
  /// An inspection ended (successfully or not).
  void inspected();
  /// "New run with this data": the wizard's seed (`data`, and `tokenizer` when one was given) and
  /// its name in the wizard's "Start from" list ("From dataset X").
  void newRunRequested(const QJsonObject& seed, const QString& label);

 private:
  void inspectSelected();
  void showInspection();
  void setSummary(const QString& field, const QString& value);
  void updateActions();

  QSettings* settings_;
  QString workspace_;
  EngineQueries* engine_;
  LibraryModel* library_;
  DataPreviewModel* preview_;
  QTableView* list_;
  QTableView* preview_view_;
  QPlainTextEdit* record_;
  QPushButton* remove_;
  QPushButton* new_run_;
  QPushButton* count_tokens_;
  QLineEdit* tokenizer_;
  QLabel* title_;
  QLabel* state_;
  QLabel* error_;
  QProgressBar* busy_;
  QFormLayout* form_;
  QHash<QString, QLabel*> values_;
  QString selected_;
  bool inspecting_ = false;
  QPointer<QObject> inspect_request_;  ///< the running inspection's context: deleting it cancels it
  DataInspection inspection_;
  bool has_inspection_ = false;
  QString last_error_;
};

}  // namespace temper::studio
