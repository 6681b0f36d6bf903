// RunPlotCanvas: how it looks — the stacked axis rects, the theme, the style of every graph.
#include <QApplication>

#include "ui/plot/run_plot_canvas_impl.h"

namespace temper::studio {

void RunPlotCanvas::Impl::setUpLayout() {
  // Lines are drawn as one polyline per graph (far fewer paint calls for long curves), and without
  // antialiasing while the person drags, so panning a million points stays smooth.
  plot->setPlottingHint(QCP::phFastPolylines, true);
  plot->setNoAntialiasingOnDrag(true);
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  // The hover marker lives on its own buffered layer: moving it repaints that layer only, not the
  // curves.
  plot->layer(QStringLiteral("overlay"))->setMode(QCPLayer::lmBuffered);

  marginGroup = new QCPMarginGroup(plot);
  QCPLayoutGrid* grid = plot->plotLayout();
  rects[0] = plot->axisRect(0);
  for (int p = 1; p < kPanelCount; ++p) {
    rects[p] = new QCPAxisRect(plot, true);
    grid->addElement(p, 0, rects[p]);
  }
  grid->setRowSpacing(4);
  for (int p = 0; p < kPanelCount; ++p) {
    QCPAxisRect* r = rects[p];
    r->setMarginGroup(QCP::msLeft | QCP::msRight, marginGroup);
    // The small plots pan and zoom along steps only; their value range follows the data.
    const Qt::Orientations orientations = p == 0 ? (Qt::Horizontal | Qt::Vertical) : Qt::Horizontal;
    r->setRangeDrag(orientations);
    r->setRangeZoom(orientations);
    grid->setRowStretchFactor(p, p == 0 ? 3.0 : 1.0);
    if (p > 0) r->setMinimumSize(0, 60);
    r->axis(QCPAxis::atBottom)->grid()->setSubGridVisible(false);
    QCPAxis* x = r->axis(QCPAxis::atBottom);
    QObject::connect(x, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), q, [this, x](const QCPRange& range) {
      if (!applyingRange) setFollowing(false);
      for (QCPAxisRect* other : rects)
        if (other->axis(QCPAxis::atBottom) != x) other->axis(QCPAxis::atBottom)->setRange(range);
    });
    QObject::connect(r->axis(QCPAxis::atLeft), qOverload<const QCPRange&>(&QCPAxis::rangeChanged), q,
                     [this](const QCPRange&) {
                       if (!applyingRange) setFollowing(false);
                     });
  }

  plot->legend->setVisible(true);
  rects[0]->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  plot->legend->setIconSize(22, 10);
  plot->legend->setRowSpacing(0);

  hoverTracer = new QCPItemTracer(plot);
  hoverTracer->setLayer(QStringLiteral("overlay"));
  hoverTracer->setStyle(QCPItemTracer::tsCircle);
  hoverTracer->setSize(9);
  hoverTracer->setVisible(false);

  selectionLine = new QCPItemStraightLine(plot);
  selectionLine->setLayer(QStringLiteral("overlay"));
  selectionLine->setClipAxisRect(rects[0]);
  selectionLine->setVisible(false);
  selectionLabel = new QCPItemText(plot);
  selectionLabel->setLayer(QStringLiteral("overlay"));
  selectionLabel->setClipAxisRect(rects[0]);
  selectionLabel->position->setTypeX(QCPItemPosition::ptPlotCoords);
  selectionLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
  selectionLabel->setPositionAlignment(Qt::AlignTop | Qt::AlignLeft);
  selectionLabel->setPadding(QMargins(4, 2, 4, 2));
  selectionLabel->setVisible(false);
  // The label goes on the side of the line with more room (the legend sits top right).
  QObject::connect(plot, &QCustomPlot::beforeReplot, q, [this] {
    if (!selectionLabel->visible()) return;
    const double px = selectionLabel->position->pixelPosition().x();
    const bool rightHalf = px > rects[0]->left() + rects[0]->width() / 2;
    selectionLabel->setPositionAlignment(Qt::AlignTop | (rightHalf ? Qt::AlignRight : Qt::AlignLeft));
  });
  applyAxes();
}

void RunPlotCanvas::Impl::applyTheme() {
  theme = PlotTheme::fromPalette(q->palette());
  plot->setBackground(theme.background);
  for (QCPAxisRect* r : rects) {
    for (QCPAxis* axis : r->axes()) {
      axis->setBasePen(QPen(theme.foreground, 0));
      axis->setTickPen(QPen(theme.foreground, 0));
      axis->setSubTickPen(QPen(theme.foreground, 0));
      axis->setTickLabelColor(theme.foreground);
      axis->setLabelColor(theme.foreground);
      axis->grid()->setPen(QPen(theme.grid, 0));
      axis->grid()->setSubGridPen(QPen(theme.subGrid, 0));
      axis->grid()->setZeroLinePen(Qt::NoPen);
    }
  }
  plot->legend->setBrush(theme.legendBackground);
  plot->legend->setBorderPen(QPen(theme.grid, 0));
  plot->legend->setTextColor(theme.foreground);
  hoverTracer->setPen(QPen(theme.foreground, 1.5));
  hoverTracer->setBrush(Qt::NoBrush);
  selectionLine->setPen(QPen(theme.foreground, 1, Qt::DashLine));
  selectionLabel->setColor(theme.foreground);
  selectionLabel->setBrush(theme.legendBackground);
  applyStyles();
}

QString RunPlotCanvas::Impl::metricLabel(const QString& name) const {
  if (name == QLatin1String(metric::kLoss)) return RunPlotCanvas::tr("train loss");
  if (name == QLatin1String(metric::kValLoss)) return RunPlotCanvas::tr("val loss");
  if (name == QLatin1String(metric::kLr)) return RunPlotCanvas::tr("learning rate");
  if (name == QLatin1String(metric::kGradNorm)) return RunPlotCanvas::tr("grad norm");
  if (name == QLatin1String(metric::kTokensPerS)) return RunPlotCanvas::tr("tokens/s");
  return name;
}

void RunPlotCanvas::Impl::styleBinding(Binding& b, int runIndex) {
  // One run: a colour per metric, as people read a single training curve. Several runs: a colour
  // per run, the metric told by the panel and (for validation) a dashed line.
  QColor color;
  if (comparison) {
    color = theme.runColor(runIndex);
  } else if (b.name == QLatin1String(metric::kLoss)) {
    color = theme.runColor(0);
  } else if (b.name == QLatin1String(metric::kValLoss)) {
    color = theme.runColor(1);
  } else if (b.name == QLatin1String(metric::kLr)) {
    color = theme.runColor(4);
  } else if (b.name == QLatin1String(metric::kGradNorm)) {
    color = theme.runColor(2);
  } else {
    color = theme.runColor(6);
  }
  const bool isVal = b.name == QLatin1String(metric::kValLoss);
  // Lines of one pixel take Qt's fast path (the cosmetic stroker); wider ones go through the
  // general stroker and cost several times more per point. So only the one run's loss curves are
  // 2 px; overlaid runs (up to 10 x 2 curves) and the small plots stay at 1 px, told apart by
  // colour. Not cosmetic: widths scale with an export's resolution, so a 2x PNG keeps the weight.
  QPen pen(color, b.panel == Panel::Loss && !comparison ? 2.0 : 1.0);
  if (isVal && comparison) pen.setStyle(Qt::DashLine);
  b.main->setPen(pen);
  if (isVal) {
    b.main->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(color, 1.5), theme.background, 5));
    b.main->setAdaptiveSampling(false);  // few points, each one matters
  }
  if (b.raw) {
    const QPen faint(PlotTheme::withAlpha(color, theme.dark ? 0.32 : 0.28), 1.0);
    b.raw->setPen(faint);
    // Faint and dense: antialiasing would not show, but costs a coverage pass per pixel.
    b.raw->setAntialiased(false);
    b.raw->setVisible(data.smoothingWeight() > 0);
  }
  const QString label = comparison ? runLabels.value(b.run, b.run) : metricLabel(b.name);
  b.main->setName(label);
  // The legend names what the colours mean: the loss curves for one run, the runs for several.
  const bool inLegend = b.panel == Panel::Loss && (!comparison || b.name == QLatin1String(metric::kLoss));
  if (inLegend)
    b.main->addToLegend();
  else
    b.main->removeFromLegend();
}

void RunPlotCanvas::Impl::styleCheckpointGraph(QCPGraph* graph, int runIndex) {
  const QColor fill = comparison ? theme.runColor(runIndex) : theme.foreground;
  graph->setPen(QPen(theme.foreground, 1));
  graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(theme.background, 1), fill, 10));
  graph->setName(RunPlotCanvas::tr("checkpoint"));
}

void RunPlotCanvas::Impl::applyStyles() {
  comparison = data.runs().size() > 1;
  for (Binding& b : bindings) styleBinding(b, static_cast<int>(data.runs().indexOf(b.run)));
  bool first = true;
  for (auto it = checkpointGraphs.cbegin(); it != checkpointGraphs.cend(); ++it) {
    styleCheckpointGraph(it.value(), static_cast<int>(data.runs().indexOf(it.key())));
    // One legend entry explains the diamonds; with several runs their colour says the run.
    if (first && !comparison) {
      it.value()->addToLegend();
      first = false;
    } else {
      it.value()->removeFromLegend();
    }
  }
  applyAxes();
}

void RunPlotCanvas::Impl::applyAxes() {
  applyingRange = true;
  int bottom = 0;
  for (int p = 0; p < kPanelCount; ++p)
    if (p == 0 || auxiliaryVisible) bottom = p;
  QString xLabel;
  switch (xAxis) {
    case XAxis::Step:
      xLabel = RunPlotCanvas::tr("step");
      break;
    case XAxis::Tokens:
      xLabel = RunPlotCanvas::tr("tokens seen");
      break;
    case XAxis::WallTime:
      xLabel = RunPlotCanvas::tr("wall time (s)");
      break;
  }
  for (int p = 0; p < kPanelCount; ++p) {
    QCPAxis* x = rects[p]->axis(QCPAxis::atBottom);
    const bool wantLog = logX;
    if (wantLog != (x->scaleType() == QCPAxis::stLogarithmic)) {
      x->setScaleType(wantLog ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
      if (wantLog)
        x->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
      else
        x->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    // Token counts reach billions: 1.5·10⁹ reads better than 1500000000.
    x->setNumberFormat(xAxis == XAxis::Tokens || logX ? QStringLiteral("gbc") : QStringLiteral("g"));
    x->setTickLabels(p == bottom);
    x->setLabel(p == bottom ? xLabel : QString());

    QCPAxis* y = rects[p]->axis(QCPAxis::atLeft);
    const bool logValues = logY && p == 0;
    if (logValues != (y->scaleType() == QCPAxis::stLogarithmic)) {
      y->setScaleType(logValues ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
      if (logValues)
        y->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
      else
        y->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    if (p > 0) y->ticker()->setTickCount(3);
  }
  rects[0]
      ->axis(QCPAxis::atLeft)
      ->setLabel(comparison ? RunPlotCanvas::tr("loss (solid: train, dashed: val)") : RunPlotCanvas::tr("loss"));
  rects[1]->axis(QCPAxis::atLeft)->setLabel(metricLabel(QLatin1String(metric::kLr)));
  rects[2]->axis(QCPAxis::atLeft)->setLabel(metricLabel(QLatin1String(metric::kGradNorm)));
  rects[3]->axis(QCPAxis::atLeft)->setLabel(metricLabel(QLatin1String(metric::kTokensPerS)));
  applyingRange = false;
}

}  // namespace temper::studio
