#pragma once
// Private to ui/plot: the state behind RunPlotCanvas, shared by its data, layout and interaction
// source files. Not installed, not included by users of the canvas.
#include <qcustomplot.h>

#include <QHash>
#include <QPoint>
#include <QString>
#include <QVector>

#include <limits>
#include <vector>

#include "ui/plot/m4_decimation.h"
#include "ui/plot/plot_data_set.h"
#include "ui/plot/plot_theme.h"
#include "ui/plot/run_plot_canvas.h"

namespace temper::studio {

/// The small plots beneath the loss plot, in layout order.
enum class Panel { Loss = 0, Lr = 1, GradNorm = 2, TokensPerS = 3 };
inline constexpr int kPanelCount = 4;

/// Running extent of the points a binding shows (what follow mode fits the axes to).
struct Extent {
  double keyMin = std::numeric_limits<double>::infinity();
  double keyMax = -std::numeric_limits<double>::infinity();
  double valueMin = std::numeric_limits<double>::infinity();
  double valueMax = -std::numeric_limits<double>::infinity();
  bool hasKey() const { return keyMin <= keyMax; }
  bool hasValue() const { return valueMin <= valueMax; }
  void addKey(double k) {
    keyMin = std::min(keyMin, k);
    keyMax = std::max(keyMax, k);
  }
  void addValue(double v) {
    valueMin = std::min(valueMin, v);
    valueMax = std::max(valueMax, v);
  }
};

/// What a graph's QCustomPlot data was last cut for (see RunPlotCanvas::Impl::syncGraphs).
struct DrawnCut {
  quint64 version = ~quint64(0);
  QCPRange range;
  int columns = -1;
  bool logKeys = false;
};

/// One metric series of one run and the graphs that draw it. The binding holds every point the
/// curves show (keys on the current axis, values with log-axis gaps applied); the graphs hold only
/// the cut of them the current view needs (m4_decimation.h), recut when the view or data change.
struct Binding {
  QString run;
  QString name;
  Panel panel = Panel::Loss;
  QCPGraph* raw = nullptr;    // the faint raw curve beneath a smoothed one; null for unsmoothed metrics
  QCPGraph* main = nullptr;   // the smoothed curve, or the raw one of an unsmoothed metric
  QVector<double> keys;       // sorted
  QVector<double> rawValues;  // only with `raw`
  QVector<double> mainValues;
  M4Curve rawCut;  // block summaries of rawValues / mainValues
  M4Curve mainCut;
  quint64 version = 0;  // bumped whenever the points change
  DrawnCut drawn[2];    // for raw, main
  Extent extent;
  qsizetype hidden = 0;  // points a log axis cannot show
};

struct RunPlotCanvas::Impl {
  explicit Impl(RunPlotCanvas* owner) : q(owner) {}

  // Data -> graphs (run_plot_canvas.cpp).
  Binding& bindingFor(const QString& run, const QString& name, Panel panel);
  void fill(Binding& b, qsizetype from, bool replace);
  void rebuildAll();
  void rebuildCheckpoints(const QString& run);
  void fitToData();
  void setFollowing(bool on);
  void syncGraphs();
  // Looks (run_plot_layout.cpp).
  void setUpLayout();
  void applyTheme();
  void applyStyles();
  void styleBinding(Binding& b, int runIndex);
  void styleCheckpointGraph(QCPGraph* graph, int runIndex);
  QString metricLabel(const QString& name) const;
  void applyAxes();
  void updateSelectionItems();
  // Interaction (run_plot_interaction.cpp).
  void onMouseMove(QMouseEvent* event);
  void onMouseRelease(QMouseEvent* event);
  void hideHover();

  RunPlotCanvas* q;
  XAxis xAxis = XAxis::Step;
  bool logX = false;
  bool logY = false;
  bool following = true;
  bool auxiliaryVisible = true;
  QCustomPlot* plot = nullptr;
  PlotDataSet data;
  PlotTheme theme;
  QCPAxisRect* rects[kPanelCount] = {};
  QCPMarginGroup* marginGroup = nullptr;
  std::vector<Binding> bindings;
  QHash<QString, int> bindingIndex;            // "run\nname" -> index in bindings
  QHash<QString, QCPGraph*> checkpointGraphs;  // run -> its markers
  QHash<QString, QString> runLabels;
  bool comparison = false;     // several runs: colour by run
  bool applyingRange = false;  // ranges set by the canvas, not by the person
  QCPItemTracer* hoverTracer = nullptr;
  QCPItemStraightLine* selectionLine = nullptr;
  QCPItemText* selectionLabel = nullptr;
  std::optional<CheckpointMark> selected;
  QPoint pressPos;
  bool pressed = false;

  static QString bindingKey(const QString& run, const QString& name) { return run + QLatin1Char('\n') + name; }
  QCPAxisRect* rect(Panel p) const { return rects[static_cast<int>(p)]; }
};

/// The panel a metric is drawn in, or nullopt for metrics the live view does not draw.
std::optional<Panel> panelForMetric(const QString& name);

/// Where a checkpoint (as PlotDataSet::checkpoints resolves it) sits on the horizontal axis, or
/// nullopt while that is unknown (the loss has not reached it) or the axis cannot show it. A step
/// is known at once, but a marker also needs the loss there, so all axes wait for the loss.
std::optional<double> checkpointKey(const CheckpointMark& mark, XAxis axis, bool logX);
/// The loss point a checkpoint's marker sits on (the last at or before its step), or -1 while the
/// loss has not reached that step.
qsizetype markerIndex(const MetricSeries* loss, qint64 step);

}  // namespace temper::studio
