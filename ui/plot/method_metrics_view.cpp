#include "ui/plot/method_metrics_view.h"

#include <qcustomplot.h>
#include <QEvent>
#include <QMap>
#include <QVBoxLayout>

#include <algorithm>

#include "ui/plot/metric_groups.h"
#include "ui/plot/plot_theme.h"

namespace temper::studio {

namespace {

constexpr int kColumns = 2;
constexpr int kPanelHeight = 170;  // pixels per row of small plots

const Qt::PenStyle kDashes[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine, Qt::DashDotDotLine};

}  // namespace

struct MethodMetricsView::Impl {
  struct Panel {
    MetricGroup group;
    QCPAxisRect* rect = nullptr;
    QCPLegend* legend = nullptr;
    QCPTextElement* title = nullptr;
    QStringList names;  ///< stored names drawn here, in arrival order (their dash when comparing)
  };
  struct Curve {
    QString run;
    QString name;  ///< stored name
    QCPGraph* graph = nullptr;
    Panel* panel = nullptr;
  };

  MethodMetricsView* q = nullptr;
  QCustomPlot* plot = nullptr;
  PlotTheme theme;
  QMap<QString, Panel*> panels;  ///< by group key
  QVector<Curve> curves;
  QStringList runs;  ///< in arrival order: their colours
  QMap<QString, QString> run_labels;

  ~Impl() { qDeleteAll(panels); }

  Panel* panelFor(const MetricGroup& group) {
    if (Panel* p = panels.value(group.key)) return p;
    auto* p = new Panel;
    p->group = group;
    p->rect = new QCPAxisRect(plot, true);
    p->legend = new QCPLegend;
    p->rect->insetLayout()->addElement(p->legend, Qt::AlignTop | Qt::AlignRight);
    p->legend->setLayer(QStringLiteral("legend"));
    p->legend->setIconSize(18, 8);
    p->legend->setRowSpacing(0);
    QFont small = q->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    p->legend->setFont(small);
    p->title = new QCPTextElement(plot, group.title, q->font());
    p->rect->axis(QCPAxis::atBottom)->grid()->setSubGridVisible(false);
    p->rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    p->rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    panels.insert(group.key, p);
    relayout();
    applyTheme();
    return p;
  }

  /// Panels in their order, each a title above its plot, kColumns to a row.
  void relayout() {
    QCPLayoutGrid* grid = plot->plotLayout();
    for (Panel* p : panels) {
      if (p->rect->layout() == grid) grid->take(p->rect);  // a new panel is not laid out yet
      if (p->title->layout() == grid) grid->take(p->title);
    }
    grid->simplify();
    QVector<Panel*> ordered(panels.begin(), panels.end());
    std::sort(ordered.begin(), ordered.end(), [](const Panel* a, const Panel* b) {
      return a->group.order != b->group.order ? a->group.order < b->group.order : a->group.key < b->group.key;
    });
    for (int i = 0; i < ordered.size(); ++i) {
      const int row = 2 * (i / kColumns), column = i % kColumns;
      grid->addElement(row, column, ordered[i]->title);
      grid->addElement(row + 1, column, ordered[i]->rect);
    }
    const int rows = static_cast<int>((ordered.size() + kColumns - 1) / kColumns);
    q->setMinimumHeight(rows * kPanelHeight);
  }

  QCPGraph* graphFor(const QString& run, const QString& stored, const MetricName& name) {
    for (const Curve& c : curves) {
      if (c.run == run && c.name == stored) return c.graph;
    }
    if (!runs.contains(run)) runs.push_back(run);
    Panel* panel = panelFor(metricGroupOf(name.base));
    if (!panel->names.contains(stored)) panel->names.push_back(stored);
    auto* graph = plot->addGraph(panel->rect->axis(QCPAxis::atBottom), panel->rect->axis(QCPAxis::atLeft));
    curves.push_back({run, stored, graph, panel});
    restyle();
    return graph;
  }

  QString legendName(const Curve& c) const {
    const MetricName name = parseMethodMetric(c.name);
    QString text = name.base + (name.validation ? MethodMetricsView::tr(" (val)") : MethodMetricsView::tr(" (train)"));
    if (runs.size() > 1) text = run_labels.value(c.run, c.run) + QStringLiteral(": ") + text;
    return text;
  }

  void restyle() {
    const bool comparing = runs.size() > 1;
    for (Curve& c : curves) {
      const int metric_index = static_cast<int>(c.panel->names.indexOf(c.name));
      const QColor color =
          comparing ? theme.runColor(static_cast<int>(runs.indexOf(c.run))) : theme.runColor(metric_index);
      QPen pen(color, parseMethodMetric(c.name).validation ? 1.6 : 1.0);
      if (comparing) pen.setStyle(kDashes[metric_index % 5]);
      c.graph->setPen(pen);
      c.graph->setScatterStyle(parseMethodMetric(c.name).validation
                                   ? QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 5)
                                   : QCPScatterStyle());
      c.graph->setName(legendName(c));
      c.graph->removeFromLegend(c.panel->legend);
      c.graph->addToLegend(c.panel->legend);
    }
  }

  void applyTheme() {
    theme = PlotTheme::fromPalette(q->palette());
    plot->setBackground(theme.background);
    for (Panel* p : panels) {
      for (QCPAxis* axis : p->rect->axes()) {
        axis->setBasePen(QPen(theme.foreground, 0));
        axis->setTickPen(QPen(theme.foreground, 0));
        axis->setSubTickPen(QPen(theme.foreground, 0));
        axis->setTickLabelColor(theme.foreground);
        axis->grid()->setPen(QPen(theme.grid, 0));
        axis->grid()->setZeroLinePen(Qt::NoPen);
      }
      p->legend->setBrush(PlotTheme::withAlpha(theme.legendBackground, 0.8));  // curves show through
      p->legend->setBorderPen(QPen(theme.grid, 0));
      p->legend->setTextColor(theme.foreground);
      p->title->setTextColor(theme.foreground);
    }
    restyle();
  }

  void rescale() {
    for (Panel* p : panels) {
      p->rect->axis(QCPAxis::atBottom)->rescale();
      // The values' own span with a margin; a flat curve (a share that stays 0) gets one around it.
      bool any = false;
      QCPRange span;
      for (const Curve& c : curves) {
        if (c.panel != p) continue;
        bool found = false;
        const QCPRange r = c.graph->getValueRange(found);
        if (!found) continue;
        span = any ? QCPRange(std::min(span.lower, r.lower), std::max(span.upper, r.upper)) : r;
        any = true;
      }
      if (!any) continue;
      const double pad = span.size() > 0 ? span.size() * 0.08 : std::max(std::abs(span.center()) * 0.1, 0.05);
      p->rect->axis(QCPAxis::atLeft)->setRange(span.lower - pad, span.upper + pad);
    }
  }
};

MethodMetricsView::MethodMetricsView(QWidget* parent) : QWidget(parent), d_(std::make_unique<Impl>()) {
  d_->q = this;
  d_->plot = new QCustomPlot(this);
  d_->plot->setObjectName(QStringLiteral("methodMetricsPlot"));
  d_->plot->plotLayout()->clear();  // panels are added as their measures arrive
  // Each plot has its own legend; none goes to the main one (it went with the default axis rect).
  d_->plot->setAutoAddPlottableToLegend(false);
  d_->plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  d_->plot->setPlottingHint(QCP::phFastPolylines, true);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(d_->plot);
  d_->applyTheme();
}

MethodMetricsView::~MethodMetricsView() = default;

void MethodMetricsView::appendSamples(const QVector<MetricSample>& samples) {
  const bool was_empty = isEmpty();
  bool taken = false;
  for (const MetricSample& s : samples) {
    const MetricName name = parseMethodMetric(s.name);
    if (name.base.isEmpty()) continue;
    QCPGraph* graph = d_->graphFor(s.run, s.name, name);
    auto data = graph->data();
    // A resumed run repeats steps: its points replace those from that step on.
    if (!data->isEmpty() && (data->constEnd() - 1)->key >= static_cast<double>(s.step)) {
      data->removeAfter(static_cast<double>(s.step) - 0.5);
    }
    graph->addData(static_cast<double>(s.step), s.value);
    taken = true;
  }
  if (!taken) return;
  d_->rescale();
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
  if (was_empty) Q_EMIT emptyChanged(false);
}

void MethodMetricsView::clear() {
  const bool was_empty = isEmpty();
  for (const auto& c : d_->curves) d_->plot->removeGraph(c.graph);
  d_->curves.clear();
  QCPLayoutGrid* grid = d_->plot->plotLayout();
  for (Impl::Panel* p : d_->panels) {
    grid->remove(p->title);
    grid->remove(p->rect);  // deletes its inset legend with it
  }
  qDeleteAll(d_->panels);
  d_->panels.clear();
  grid->simplify();
  d_->runs.clear();
  setMinimumHeight(0);
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
  if (!was_empty) Q_EMIT emptyChanged(true);
}

void MethodMetricsView::setRunLabel(const QString& run, const QString& label) {
  d_->run_labels.insert(run, label);
  if (!d_->runs.contains(run)) d_->runs.push_back(run);  // the colour order, also for runs with no measures
  d_->restyle();
  d_->plot->replot(QCustomPlot::rpQueuedReplot);
}

bool MethodMetricsView::isEmpty() const { return d_->curves.isEmpty(); }

QStringList MethodMetricsView::groupTitles() const {
  QStringList titles;
  QCPLayoutGrid* grid = d_->plot->plotLayout();
  for (int row = 0; row < grid->rowCount(); row += 2) {
    for (int column = 0; column < grid->columnCount(); ++column) {
      if (auto* title = qobject_cast<QCPTextElement*>(grid->element(row, column))) titles << title->text();
    }
  }
  return titles;
}

int MethodMetricsView::curveCount() const { return static_cast<int>(d_->curves.size()); }

QStringList MethodMetricsView::curveNames() const {
  QStringList names;
  for (const auto& c : d_->curves) names << c.graph->name();
  return names;
}

QCustomPlot* MethodMetricsView::customPlot() const { return d_->plot; }

void MethodMetricsView::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
    d_->applyTheme();
    d_->plot->replot(QCustomPlot::rpQueuedReplot);
  }
}

}  // namespace temper::studio
