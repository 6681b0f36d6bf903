#pragma once
/// The Datasets page: the data files and folders the person added (remembered per workspace) and
/// the datasets prepared in the workspace (`<workspace>/datasets/*/meta.json`, written when a run
/// tokenises its data). Selecting one asks the engine (`temper data inspect PATH --json` through
/// EngineQueries: the window never waits) and shows the format, the fields used, the counts, the labels
/// of classification data, the first records (the selected one whole), or the engine's error with its file and line.
/// The list, the inspection's states and "New run" are LibraryPage's.
#include "ui/pages/library/library_page.h"

class QLineEdit;
class QPlainTextEdit;
class QTableView;

namespace temper::studio {

class DataPreviewModel;

class DatasetsPage : public LibraryPage {
  Q_OBJECT

 public:
  /// `engine` (not owned; the main window's EngineSession) inspects the data.
  DatasetsPage(QSettings* settings, EngineQueries* engine, QWidget* parent = nullptr);
  ~DatasetsPage() override;

  /// The last successful inspection of the selected entry (valid while hasInspection()).
  const DataInspection& inspection() const { return inspection_; }

  DataPreviewModel* previewModel() const { return preview_; }
  QTableView* previewView() const { return preview_view_; }
  /// The whole of the record selected in the preview, as indented JSON.
  QPlainTextEdit* recordView() const { return record_; }
  QLineEdit* tokenizerEdit() const { return tokenizer_; }

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

  DataPreviewModel* preview_;
  QTableView* preview_view_;
  QPlainTextEdit* record_;
  QPushButton* count_tokens_;
  QLineEdit* tokenizer_;
  DataInspection inspection_;
};

}  // namespace temper::studio
