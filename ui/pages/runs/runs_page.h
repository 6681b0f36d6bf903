#pragma once
/// The run history page: a filter line (Ctrl+F), status and method filters, the sortable table, and
/// a context menu (open, rename, edit tags / notes, delete, duplicate into the wizard, resume /
/// extend, compare the selected runs). A double click or Enter on any cell opens the run; name,
/// tags and notes are edited in place when asked: F2 on the selected row, or the context menu.
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace temper::studio {

class RunFilterProxy;
class RunHistoryModel;

class RunsPage : public QWidget {
  Q_OBJECT
 public:
  RunsPage(RunHistoryModel* model, QWidget* parent = nullptr);

  QLineEdit* filterEdit() const { return filter_; }
  QTableView* table() const { return table_; }
  RunFilterProxy* proxy() const { return proxy_; }
  /// Puts the cursor in the filter box (Edit > Find).
  void focusFilter();
  /// Re-reads the method list of the filter combo (after a reload).
  void refreshMethods();
  /// The run under the current row, or empty.
  QString currentRunId() const;
  /// The runs of the selected rows, in table order.
  QStringList selectedRunIds() const;
  QPushButton* compareButton() const { return compare_; }
  /// F2: edits the current cell when it is the tags or notes, else the current row's name.
  void editCurrentRow();

 Q_SIGNALS:
  void openRequested(const QString& run_id);
  void duplicateRequested(const QString& run_id);
  /// `max_steps` 0: continue to the run's own max-steps.
  void resumeRequested(const QString& run_id, qint64 max_steps);
  /// Asks the window to delete (it confirms first and stops nothing).
  void deleteRequested(const QString& run_id);
  void refreshRequested();
  /// "Compare" for the selected runs (two or more).
  void compareRequested(const QStringList& run_ids);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void showContextMenu(const QPoint& pos);
  void updateCount();
  void updateCompare();

  RunHistoryModel* model_;
  RunFilterProxy* proxy_;
  QLineEdit* filter_;
  QComboBox* status_;
  QComboBox* method_;
  QLabel* count_;
  QTableView* table_;
  QPushButton* compare_;
};

}  // namespace temper::studio
