#pragma once
/// The Compare page: pick runs from the history (a filterable checkable list, or "Compare" on the
/// Runs page), and see their train and validation loss overlaid (the plot library's comparison
/// mode: one colour per run, x axis step / tokens / wall time) beside a table of their figures and
/// hyperparameters, those that differ first. Curves and configs are read from the store on a
/// worker thread, so a long history never blocks the window.
#include <QStringList>
#include <QTimer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QThread;

namespace temper::studio {

class MethodMetricsView;
class RunComparisonModel;
class RunFilterProxy;
class RunHistoryModel;
class RunPickProxy;

class ComparePage : public QWidget {
  Q_OBJECT

 public:
  /// What a load read from the store (defined in the .cpp; public for its worker function).
  struct LoadResult;

  ComparePage(RunHistoryModel* history, QWidget* parent = nullptr);
  ~ComparePage() override;

  /// Picks exactly these runs (ids of the history) and loads them.
  void setRuns(const QStringList& run_ids);
  /// The picked runs, in the order they were picked (the order of their colours).
  QStringList pickedRuns() const;
  /// Reads the picked runs' curves and configs again (e.g. a run that was still training).
  void reload();
  /// True while the store is being read.
  bool isLoading() const { return loader_ != nullptr; }

  RunPickProxy* pickProxy() const { return pick_; }
  QTableView* runTable() const { return run_table_; }
  QTableView* comparisonTable() const { return table_; }
  RunComparisonModel* comparisonModel() const { return comparison_; }
  QLineEdit* filterEdit() const { return filter_; }
  QLabel* stateLabel() const { return state_; }
  /// The LiveRunPlot.
  QWidget* plot() const { return plot_; }
  /// The methods' own measures of the picked runs (hidden when none has any).
  MethodMetricsView* methodMetrics() const { return method_metrics_; }

 Q_SIGNALS:
  /// The curves and table show the picked runs (after every load).
  void loaded();

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void startLoad();
  void applyLoad(const LoadResult& result);
  void updateColors();

  RunHistoryModel* history_;
  RunPickProxy* pick_;
  RunFilterProxy* filter_proxy_;
  RunComparisonModel* comparison_;
  QLineEdit* filter_;
  QTableView* run_table_;
  QTableView* table_;
  QLabel* picked_label_;
  QLabel* state_;
  QPushButton* clear_;
  QPushButton* reload_button_;
  QWidget* plot_ = nullptr;
  MethodMetricsView* method_metrics_ = nullptr;
  QTimer debounce_;
  QThread* loader_ = nullptr;
  bool load_again_ = false;  // the picks changed while a load ran
};

}  // namespace temper::studio
