#include "ui/plot/run_plot_canvas.h"

#include <QFile>
#include <QSaveFile>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ui/plot/m4_decimation.h"
#include "ui/plot/run_plot_canvas_impl.h"

namespace temper::studio {

std::optional<Panel> panelForMetric(const QString& name) {
  if (name == QLatin1String(metric::kLoss) || name == QLatin1String(metric::kValLoss)) return Panel::Loss;
  if (name == QLatin1String(metric::kLr)) return Panel::Lr;
  if (name == QLatin1String(metric::kGradNorm)) return Panel::GradNorm;
  if (name == QLatin1String(metric::kTokensPerS)) return Panel::TokensPerS;
  return std::nullopt;
}

std::optional<double> checkpointKey(const CheckpointMark& mark, XAxis axis, bool logX) {
  if (mark.tokens < 0) return std::nullopt;  // unresolved: the loss has not reached this step
  double key = static_cast<double>(mark.step);
  if (axis == XAxis::Tokens) key = static_cast<double>(mark.tokens);
  if (axis == XAxis::WallTime) key = mark.wallTime;
  if (!std::isfinite(key) || (logX && key <= 0)) return std::nullopt;
  return key;
}

qsizetype markerIndex(const MetricSeries* loss, qint64 step) {
  if (!loss || loss->isEmpty() || loss->step(loss->size() - 1) < step) return -1;
  return loss->indexAtOrBeforeStep(step);
}

RunPlotCanvas::RunPlotCanvas(QWidget* parent) : QWidget(parent), d_(std::make_unique<Impl>(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  d_->plot = new QCustomPlot(this);
  layout->addWidget(d_->plot);
  d_->setUpLayout();
  d_->plot->installEventFilter(this);
  connect(d_->plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) { d_->onMouseMove(e); });
  connect(d_->plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
    d_->pressPos = e->pos();
    d_->pressed = e->button() == Qt::LeftButton;
  });
  connect(d_->plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) { d_->onMouseRelease(e); });
  connect(d_->plot, &QCustomPlot::mouseWheel, this, [this](QWheelEvent*) { d_->setFollowing(false); });
  // After the layout, before drawing: ranges and pixel widths are final, so cut the curves now.
  connect(d_->plot, &QCustomPlot::afterLayout, this, [this] { d_->syncGraphs(); });
  d_->applyTheme();
}

RunPlotCanvas::~RunPlotCanvas() = default;

// ---------------------------------------------------------------------------------------------
// Data in

void RunPlotCanvas::appendSamples(const QVector<MetricSample>& samples) {
  if (samples.isEmpty()) return;
  const qsizetype runsBefore = d_->data.runs().size();
  const QVector<SeriesChange> changes = d_->data.append(samples);
  QStringList lossChanged;
  for (const SeriesChange& change : changes) {
    const auto panel = panelForMetric(change.name);
    if (!panel) continue;
    Binding& b = d_->bindingFor(change.run, change.name, *panel);
    d_->fill(b, change.rewound ? 0 : change.firstNew, change.rewound);
    if (change.name == QLatin1String(metric::kLoss)) lossChanged.append(change.run);
  }
  if (d_->data.runs().size() != runsBefore) d_->applyStyles();
  // A marker sits on the train-loss curve; new loss points can place markers that arrived first.
  for (const QString& run : std::as_const(lossChanged)) d_->rebuildCheckpoints(run);
  if (d_->following) d_->fitToData();
  if (d_->selected && !d_->data.runs().contains(d_->selected->run)) d_->selected.reset();
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlotCanvas::addCheckpoint(const CheckpointMark& mark) {
  const qsizetype runsBefore = d_->data.runs().size();
  d_->data.addCheckpoint(mark);
  if (d_->data.runs().size() != runsBefore) d_->applyStyles();
  d_->rebuildCheckpoints(mark.run);
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlotCanvas::clear() {
  d_->hideHover();
  for (const Binding& b : d_->bindings) {
    if (b.raw) d_->plot->removeGraph(b.raw);
    d_->plot->removeGraph(b.main);
  }
  for (QCPGraph* g : std::as_const(d_->checkpointGraphs)) d_->plot->removeGraph(g);
  d_->bindings.clear();
  d_->bindingIndex.clear();
  d_->checkpointGraphs.clear();
  d_->data.clear();
  const bool hadSelection = d_->selected.has_value();
  d_->selected.reset();
  d_->updateSelectionItems();
  d_->applyStyles();
  d_->setFollowing(true);
  d_->fitToData();
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
  if (hadSelection) Q_EMIT checkpointSelectionCleared();
}

void RunPlotCanvas::setRunLabel(const QString& run, const QString& label) {
  d_->runLabels.insert(run, label);
  d_->applyStyles();
  d_->updateSelectionItems();
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
}

QString RunPlotCanvas::runLabel(const QString& run) const { return d_->runLabels.value(run, run); }

// ---------------------------------------------------------------------------------------------
// Settings

XAxis RunPlotCanvas::xAxis() const { return d_->xAxis; }
bool RunPlotCanvas::logX() const { return d_->logX; }
bool RunPlotCanvas::logY() const { return d_->logY; }
bool RunPlotCanvas::isFollowing() const { return d_->following; }
bool RunPlotCanvas::auxiliaryPlotsVisible() const { return d_->auxiliaryVisible; }
double RunPlotCanvas::smoothing() const { return d_->data.smoothingWeight(); }

void RunPlotCanvas::setXAxis(XAxis axis) {
  if (axis == d_->xAxis) return;
  d_->xAxis = axis;
  d_->applyAxes();
  d_->rebuildAll();
  // Another axis is another picture: show all of it.
  d_->setFollowing(true);
  d_->fitToData();
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlotCanvas::setSmoothing(double weight) {
  weight = std::clamp(std::isfinite(weight) ? weight : 0.0, 0.0, 0.99);
  if (weight == d_->data.smoothingWeight()) return;
  d_->data.setSmoothingWeight(weight);
  d_->rebuildAll();
  d_->applyStyles();  // the faint raw curves show only while smoothing is on
  if (d_->following) d_->fitToData();
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlotCanvas::setLogX(bool on) {
  if (on == d_->logX) return;
  d_->logX = on;
  d_->applyAxes();
  d_->rebuildAll();
  d_->setFollowing(true);
  d_->fitToData();
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlotCanvas::setLogY(bool on) {
  if (on == d_->logY) return;
  d_->logY = on;
  d_->applyAxes();
  d_->rebuildAll();
  d_->setFollowing(true);
  d_->fitToData();
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlotCanvas::setAuxiliaryPlotsVisible(bool visible) {
  if (visible == d_->auxiliaryVisible) return;
  d_->auxiliaryVisible = visible;
  QCPLayoutGrid* grid = d_->plot->plotLayout();
  for (int p = 1; p < kPanelCount; ++p) {
    QCPAxisRect* r = d_->rects[p];
    if (visible) {
      grid->addElement(p, 0, r);
      grid->setRowStretchFactor(p, 1.0);
    } else {
      grid->take(r);
      r->setVisible(false);
    }
    r->setVisible(visible);
  }
  grid->simplify();
  d_->applyAxes();
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlotCanvas::resetView() {
  d_->setFollowing(true);
  d_->fitToData();
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
}

qsizetype RunPlotCanvas::hiddenPointCount() const {
  qsizetype n = 0;
  for (const Binding& b : d_->bindings) n += b.hidden;
  return n;
}

QString RunPlotCanvas::toCsv() const { return d_->data.toCsv(); }

bool RunPlotCanvas::saveCsv(const QString& path, QString* error) const {
  QSaveFile file(path);
  const QByteArray bytes = toCsv().toUtf8();
  if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
    if (error) *error = tr("Could not write %1: %2").arg(path, file.errorString());
    return false;
  }
  return true;
}

QVector<QPointF> RunPlotCanvas::curvePoints(const QString& run, const QString& name, bool raw) const {
  QVector<QPointF> out;
  const auto found = d_->bindingIndex.constFind(Impl::bindingKey(run, name));
  if (found == d_->bindingIndex.cend()) return out;
  const Binding& b = d_->bindings[*found];
  const QVector<double>& values = raw ? b.rawValues : b.mainValues;
  if (values.size() != b.keys.size()) return out;
  out.reserve(values.size());
  for (qsizetype i = 0; i < values.size(); ++i) out.append(QPointF(b.keys[i], values[i]));
  return out;
}

const PlotDataSet& RunPlotCanvas::data() const { return d_->data; }
QCustomPlot* RunPlotCanvas::customPlot() const { return d_->plot; }

void RunPlotCanvas::changeEvent(QEvent* event) {
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
    d_->applyTheme();
    d_->plot->replot(QCustomPlot::rpQueuedReplot);
  }
  QWidget::changeEvent(event);
}

// ---------------------------------------------------------------------------------------------
// Impl: data -> graphs

Binding& RunPlotCanvas::Impl::bindingFor(const QString& run, const QString& name, Panel panel) {
  const QString key = bindingKey(run, name);
  const auto found = bindingIndex.constFind(key);
  if (found != bindingIndex.cend()) return bindings[*found];
  Binding b;
  b.run = run;
  b.name = name;
  b.panel = panel;
  QCPAxisRect* r = rect(panel);
  if (PlotDataSet::isSmoothedMetric(name)) {
    b.raw = plot->addGraph(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
    b.raw->removeFromLegend();
  }
  b.main = plot->addGraph(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
  // Tags for tests and tools that look at the QCustomPlot underneath.
  for (QCPGraph* g : {b.raw, b.main}) {
    if (!g) continue;
    g->setProperty("temperRun", run);
    g->setProperty("temperMetric", name);
    g->setProperty("temperRaw", g == b.raw);
  }
  bindingIndex.insert(key, static_cast<int>(bindings.size()));
  bindings.push_back(b);
  Binding& added = bindings.back();
  styleBinding(added, static_cast<int>(data.runs().indexOf(run)));
  return added;
}

void RunPlotCanvas::Impl::fill(Binding& b, qsizetype from, bool replace) {
  const MetricSeries* s = data.series(b.run, b.name);
  if (!s) return;
  const bool logValues = logY && b.panel == Panel::Loss;
  if (replace) {
    b.keys.clear();
    b.rawValues.clear();
    b.mainValues.clear();
    b.extent = Extent();
    b.hidden = 0;
  }
  if (replace) {
    // Only when starting over: reserving the exact size on every batch would defeat the vectors'
    // geometric growth and copy the whole curve each time.
    const qsizetype n = s->size() - from;
    b.keys.reserve(n);
    b.mainValues.reserve(n);
    if (b.raw) b.rawValues.reserve(n);
  }
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  bool sorted = true;
  for (qsizetype i = from; i < s->size(); ++i) {
    const double key = s->key(xAxis, i);
    if (!std::isfinite(key) || (logX && key <= 0)) {
      ++b.hidden;
      continue;
    }
    double value = s->value(i);
    double smoothed = s->smoothedValue(i);
    if (logValues && value <= 0) {
      ++b.hidden;
      value = kNaN;  // a gap: the curve must not bridge values the axis cannot show
    }
    if (logValues && smoothed <= 0) smoothed = kNaN;
    if (!b.keys.isEmpty() && key < b.keys.last()) sorted = false;
    b.extent.addKey(key);
    if (std::isfinite(value)) b.extent.addValue(value);
    if (std::isfinite(smoothed)) b.extent.addValue(smoothed);
    b.keys.append(key);
    if (b.raw) {
      b.rawValues.append(value);
      b.mainValues.append(smoothed);
    } else {
      b.mainValues.append(value);
    }
  }
  if (!sorted) {
    // Keys grow with the step on every axis the engine reports; should a clock ever go back,
    // order by key (stable) so the cut's binary searches stay valid.
    QVector<qsizetype> order(b.keys.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype c) { return b.keys[a] < b.keys[c]; });
    const auto permute = [&](QVector<double>& v) {
      if (v.isEmpty()) return;
      QVector<double> out(v.size());
      for (qsizetype i = 0; i < v.size(); ++i) out[i] = v[order[i]];
      v = std::move(out);
    };
    permute(b.keys);
    permute(b.rawValues);
    permute(b.mainValues);
  }
  if (replace || !sorted) {
    b.rawCut.rebuild(b.rawValues);
    b.mainCut.rebuild(b.mainValues);
  } else {
    b.rawCut.extend(b.rawValues);
    b.mainCut.extend(b.mainValues);
  }
  ++b.version;
}

void RunPlotCanvas::Impl::syncGraphs() {
  for (Binding& b : bindings) {
    QCPAxisRect* r = rect(b.panel);
    QCPAxis* x = r->axis(QCPAxis::atBottom);
    const M4View view{x->range().lower, x->range().upper, r->width(), logX};
    QCPGraph* graphs[2] = {b.raw, b.main};
    const QVector<double>* values[2] = {&b.rawValues, &b.mainValues};
    const M4Curve* cuts[2] = {&b.rawCut, &b.mainCut};
    for (int g = 0; g < 2; ++g) {
      if (!graphs[g] || !graphs[g]->visible()) continue;
      DrawnCut& drawn = b.drawn[g];
      if (drawn.version == b.version && drawn.range == x->range() && drawn.columns == view.columns &&
          drawn.logKeys == logX)
        continue;
      QVector<QCPGraphData> points;
      cuts[g]->cut(b.keys, *values[g], view, &points);
      graphs[g]->data()->set(points, true);
      drawn = DrawnCut{b.version, x->range(), view.columns, logX};
    }
  }
}

void RunPlotCanvas::Impl::rebuildAll() {
  hideHover();
  for (Binding& b : bindings) fill(b, 0, true);
  for (const QString& run : data.runs()) rebuildCheckpoints(run);
  updateSelectionItems();
}

void RunPlotCanvas::Impl::rebuildCheckpoints(const QString& run) {
  const QVector<CheckpointMark> marks = data.checkpoints(run);
  if (marks.isEmpty() && !checkpointGraphs.contains(run)) return;
  QCPGraph*& graph = checkpointGraphs[run];
  if (!graph) {
    QCPAxisRect* r = rect(Panel::Loss);
    graph = plot->addGraph(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setAdaptiveSampling(false);
    graph->setProperty("temperCheckpoints", run);
    applyStyles();  // styles the markers and gives them their legend entry
  }
  QVector<QCPGraphData> points;
  const MetricSeries* loss = data.series(run, QLatin1String(metric::kLoss));
  for (const CheckpointMark& mark : marks) {
    const auto key = checkpointKey(mark, xAxis, logX);
    const qsizetype i = markerIndex(loss, mark.step);
    if (!key || i < 0) continue;  // the loss has not reached it yet: placed when it does
    const double value = loss->smoothedValue(i);
    if (!std::isfinite(value) || (logY && value <= 0)) continue;
    points.append(QCPGraphData(*key, value));
  }
  graph->data()->set(points, false);
}

void RunPlotCanvas::Impl::setFollowing(bool on) {
  if (on == following) return;
  following = on;
  Q_EMIT q->followingChanged(on);
}

namespace {

// The range [lo, hi] with a margin of `fraction` of its span on both sides (multiplicative on a
// log axis, where an additive margin could cross zero), and a sensible span for a single value.
QCPRange padded(double lo, double hi, bool log, double fraction) {
  if (log) {
    if (lo == hi) return QCPRange(lo / 2, hi * 2);
    const double f = std::pow(hi / lo, fraction);
    return QCPRange(lo / f, hi * f);
  }
  if (lo == hi) {
    const double half = lo == 0 ? 1.0 : std::abs(lo) * 0.05;
    return QCPRange(lo - half, hi + half);
  }
  const double margin = (hi - lo) * fraction;
  return QCPRange(lo - margin, hi + margin);
}

}  // namespace

void RunPlotCanvas::Impl::fitToData() {
  Extent keys;
  Extent values[kPanelCount];
  for (const Binding& b : bindings) {
    if (!b.extent.hasKey()) continue;
    keys.addKey(b.extent.keyMin);
    keys.addKey(b.extent.keyMax);
    if (b.extent.hasValue()) {
      values[static_cast<int>(b.panel)].addValue(b.extent.valueMin);
      values[static_cast<int>(b.panel)].addValue(b.extent.valueMax);
    }
  }
  applyingRange = true;
  if (keys.hasKey()) {
    const QCPRange x = padded(keys.keyMin, keys.keyMax, logX, 0.0);
    for (QCPAxisRect* r : rects) r->axis(QCPAxis::atBottom)->setRange(x);
  }
  for (int p = 0; p < kPanelCount; ++p) {
    if (!values[p].hasValue()) continue;
    const bool log = logY && p == static_cast<int>(Panel::Loss);
    rects[p]->axis(QCPAxis::atLeft)->setRange(padded(values[p].valueMin, values[p].valueMax, log, 0.05));
  }
  applyingRange = false;
}

}  // namespace temper::studio
