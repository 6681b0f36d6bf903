#pragma once
/// The live run view's plot as one widget: a tool bar (horizontal axis, EMA smoothing, log axes,
/// reset view, export), the curves (RunPlotCanvas), and a bar with the selected checkpoint and its
/// actions. The same widget overlays several runs for comparison: feed it samples of several run
/// ids and name them with setRunLabel(). GUI thread only.
#include <QVector>
#include <QWidget>

#include "ui/plot/metric_sample.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QTimer;
class QToolButton;

namespace temper::studio {

class RunPlotCanvas;

class LiveRunPlot : public QWidget {
  Q_OBJECT

 public:
  explicit LiveRunPlot(QWidget* parent = nullptr);

  /// The curves themselves, for everything the tool bar does not cover.
  RunPlotCanvas* canvas() const { return canvas_; }

  /// See RunPlotCanvas::appendSamples: one call per coalesced batch of events.
  void appendSamples(const QVector<MetricSample>& samples);
  /// See RunPlotCanvas::addCheckpoint.
  void addCheckpoint(const CheckpointMark& mark);
  /// Removes all data and the selection.
  void clear();
  /// The name shown for a run in the legend and tooltips.
  void setRunLabel(const QString& run, const QString& label);

  /// These set the tool bar's controls, which set the canvas (so both always agree).
  void setXAxis(XAxis axis);
  void setSmoothing(double weight);
  void setLogX(bool on);
  void setLogY(bool on);

  /// Enables "Evaluate" for a selected checkpoint; when disabled, `reason` is its tooltip.
  void setEvaluateAvailable(bool available, const QString& reason = QString());
  /// Enables "Open in playground" for a selected checkpoint; when disabled, `reason` is its tooltip.
  void setPlaygroundAvailable(bool available, const QString& reason = QString());

 Q_SIGNALS:
  /// A checkpoint was selected on the plot.
  void checkpointSelected(const QString& run, qint64 step);
  /// "Evaluate" was pressed for the selected checkpoint.
  void evaluateRequested(const QString& run, qint64 step);
  /// "Open in playground" was pressed for the selected checkpoint.
  void openInPlaygroundRequested(const QString& run, qint64 step);

 private:
  QWidget* buildToolBar();
  QWidget* buildCheckpointBar();
  void updateCheckpointBar();
  void exportPicture(const QString& suffix, const QString& filter);
  void exportCsv();

  RunPlotCanvas* canvas_ = nullptr;
  QComboBox* xAxisBox_ = nullptr;
  QSlider* smoothingSlider_ = nullptr;
  QLabel* smoothingValue_ = nullptr;
  QTimer* smoothingTimer_ = nullptr;  // applies slider moves once they pause
  QCheckBox* logXBox_ = nullptr;
  QCheckBox* logYBox_ = nullptr;
  QLabel* checkpointLabel_ = nullptr;
  QPushButton* evaluateButton_ = nullptr;
  QPushButton* playgroundButton_ = nullptr;
  bool evaluateAvailable_ = false;
  bool playgroundAvailable_ = false;
  QString evaluateReason_;
  QString playgroundReason_;
};

}  // namespace temper::studio
