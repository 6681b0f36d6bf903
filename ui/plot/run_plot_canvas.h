#pragma once
/// The drawing part of the live and comparison plots: train and validation loss on the main plot,
/// learning rate, gradient norm and tokens/s on small plots beneath that share its horizontal axis;
/// one colour per metric for a single run, one colour per run when several are overlaid.
///
/// Feed it with appendSamples() in batches (the engine client coalesces events on a ~40 ms timer):
/// each batch is smoothed incrementally, appended to the graphs already sorted, and replotted once
/// on the next turn of the event loop. While the view follows the data (until the person zooms or
/// pans; resetView() follows again) the axes grow with it from running min/max, never from a scan.
/// GUI thread only. QCustomPlot stays out of this header: includers need not see it.
#include <QPointF>
#include <QString>
#include <QVector>
#include <QWidget>

#include <memory>
#include <optional>

#include "ui/plot/metric_sample.h"

class QCustomPlot;

namespace temper::studio {

class PlotDataSet;

/// The point of a curve nearest to a position on the plot (see RunPlotCanvas::nearestPoint).
struct HoverPoint {
  QString run;           ///< run id
  QString name;          ///< metric name
  qsizetype index = -1;  ///< index in the metric's series
  qint64 step = 0;
  qint64 tokens = 0;
  double wallTime = 0.0;
  double value = 0.0;     ///< the raw value
  double smoothed = 0.0;  ///< the smoothed value (equal to value for unsmoothed metrics)
  QPointF pixel;          ///< where the drawn point is, in widget coordinates
};

class RunPlotCanvas : public QWidget {
  Q_OBJECT

 public:
  explicit RunPlotCanvas(QWidget* parent = nullptr);
  ~RunPlotCanvas() override;

  /// Appends a batch of samples (any runs, any metrics, steps ascending per run and metric; a step
  /// that goes back replaces the points from there on, as after a resume) and schedules one replot.
  void appendSamples(const QVector<MetricSample>& samples);
  /// Adds a checkpoint marker (drawn on the run's train-loss curve) and schedules a replot.
  void addCheckpoint(const CheckpointMark& mark);
  /// Removes every run, curve, checkpoint and selection; settings (axis, smoothing, log) stay.
  void clear();
  /// The name the legend and tooltip show for a run (default: its id).
  void setRunLabel(const QString& run, const QString& label);
  QString runLabel(const QString& run) const;

  void setXAxis(XAxis axis);
  XAxis xAxis() const;
  /// EMA weight in [0, 0.99]; 0 draws the raw curves only, above 0 the raw curve stays faint beneath.
  void setSmoothing(double weight);
  double smoothing() const;
  /// Logarithmic horizontal axis: points at or below 0 (step 0, wall time 0) have no place on it and
  /// are left out.
  void setLogX(bool on);
  bool logX() const;
  /// Logarithmic loss axis: values at or below 0 are drawn as gaps (the curve breaks rather than
  /// bridging them) and counted in hiddenPointCount().
  void setLogY(bool on);
  bool logY() const;
  /// Shows or removes the small learning-rate, gradient-norm and tokens/s plots.
  void setAuxiliaryPlotsVisible(bool visible);
  bool auxiliaryPlotsVisible() const;
  /// Fits every axis to the data and follows new data again.
  void resetView();
  /// Whether the axes grow with new data (true until the person zooms or pans).
  bool isFollowing() const;
  /// Points a log axis cannot show right now.
  qsizetype hiddenPointCount() const;

  /// The nearest drawn point to `pos` (widget coordinates) in the plot under it, within 40 pixels
  /// horizontally; what the tooltip shows.
  std::optional<HoverPoint> nearestPoint(QPointF pos) const;
  /// Selects the checkpoint nearest to `pos` horizontally (ties: nearest marker vertically) and
  /// emits checkpointSelected; returns false when there are no checkpoints.
  bool selectCheckpointNear(QPointF pos);
  /// Selects a checkpoint by run and step (emits checkpointSelected); false when there is none.
  bool selectCheckpoint(const QString& run, qint64 step);
  /// The selected checkpoint, if any.
  std::optional<CheckpointMark> selectedCheckpoint() const;
  /// Where a checkpoint's marker is drawn, in widget coordinates (nullopt when it is not drawn).
  std::optional<QPointF> checkpointPixel(const QString& run, qint64 step) const;

  /// The data as CSV (see PlotDataSet::toCsv).
  QString toCsv() const;
  /// Writes the CSV; on failure returns false and sets `error` to a sentence naming the file.
  bool saveCsv(const QString& path, QString* error) const;
  /// Writes the plot as PNG, PDF or SVG (chosen by the file's suffix), laid out at `size` pixels
  /// (PDF: points). A PNG is rendered at `scale` times that many pixels (2 keeps it sharp in
  /// documents, with the same layout); the vector formats ignore `scale`.
  bool saveImage(const QString& path, QSize size, QString* error, double scale = 1.0);
  /// Whether this build can write SVG (Qt SVG was found when it was built).
  static bool svgExportAvailable();

  /// Every point a metric's curve shows, before the cut for the current view (m4_decimation.h):
  /// keys on the current axis, smoothed values unless `raw` (raw exists for smoothed metrics only),
  /// gaps for a log axis as NaN. Empty when the metric is not drawn.
  QVector<QPointF> curvePoints(const QString& run, const QString& name, bool raw = false) const;

  const PlotDataSet& data() const;
  /// The QCustomPlot underneath, for tests and benchmarks.
  QCustomPlot* customPlot() const;

 Q_SIGNALS:
  /// A checkpoint was selected (clicked near, or by selectCheckpoint).
  void checkpointSelected(const QString& run, qint64 step);
  /// The selection was cleared (clear(), or the selected run's data went away).
  void checkpointSelectionCleared();
  /// The view stopped or started following new data.
  void followingChanged(bool following);

 protected:
  void changeEvent(QEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> d_;
};

}  // namespace temper::studio
