// RunPlotCanvas: the mouse — hover tooltip, checkpoint selection, follow mode.
#include <QLocale>
#include <QToolTip>

#include <cmath>

#include "ui/plot/run_plot_canvas_impl.h"

namespace temper::studio {
namespace {

constexpr double kHoverReachPx = 40.0;
constexpr int kClickSlopPx = 3;

QString formatDuration(double seconds) {
  if (!std::isfinite(seconds)) return QStringLiteral("?");
  if (seconds < 60) return RunPlotCanvas::tr("%1 s").arg(seconds, 0, 'f', 1);
  const qint64 total = static_cast<qint64>(std::llround(seconds));
  const qint64 h = total / 3600, m = (total / 60) % 60, s = total % 60;
  if (h == 0) return RunPlotCanvas::tr("%1 min %2 s").arg(m).arg(s, 2, 10, QLatin1Char('0'));
  return RunPlotCanvas::tr("%1 h %2 min").arg(h).arg(m, 2, 10, QLatin1Char('0'));
}

}  // namespace

std::optional<HoverPoint> RunPlotCanvas::nearestPoint(QPointF pos) const {
  int panel = -1;
  for (int p = 0; p < kPanelCount; ++p) {
    if (d_->rects[p]->visible() && d_->rects[p]->rect().contains(pos.toPoint())) panel = p;
  }
  if (panel < 0) return std::nullopt;
  QCPAxis* x = d_->rects[panel]->axis(QCPAxis::atBottom);
  QCPAxis* y = d_->rects[panel]->axis(QCPAxis::atLeft);
  const double key = x->pixelToCoord(pos.x());
  const bool logValues = d_->logY && panel == 0;
  std::optional<HoverPoint> best;
  double bestDistance = std::numeric_limits<double>::infinity();
  for (const Binding& b : d_->bindings) {
    if (static_cast<int>(b.panel) != panel || !b.main->visible()) continue;
    const MetricSeries* s = d_->data.series(b.run, b.name);
    if (!s) continue;
    // Keys are sorted: the nearest point in x is one of the two around the cursor's key.
    const qsizetype i = s->lowerBound(d_->xAxis, key);
    for (qsizetype j : {i - 1, i}) {
      if (j < 0 || j >= s->size()) continue;
      const double k = s->key(d_->xAxis, j);
      const double v = s->smoothedValue(j);
      if (!std::isfinite(k) || !std::isfinite(v) || (d_->logX && k <= 0) || (logValues && v <= 0)) continue;
      const QPointF pixel(x->coordToPixel(k), y->coordToPixel(v));
      if (std::abs(pixel.x() - pos.x()) > kHoverReachPx) continue;
      const double distance = std::hypot(pixel.x() - pos.x(), pixel.y() - pos.y());
      if (distance < bestDistance) {
        bestDistance = distance;
        best = HoverPoint{b.run, b.name, j, s->step(j), s->tokens(j), s->wallTime(j), s->value(j), v, pixel};
      }
    }
  }
  return best;
}

bool RunPlotCanvas::selectCheckpointNear(QPointF pos) {
  QCPAxis* x = d_->rects[0]->axis(QCPAxis::atBottom);
  std::optional<CheckpointMark> best;
  double bestDx = std::numeric_limits<double>::infinity();
  double bestDy = std::numeric_limits<double>::infinity();
  for (const QString& run : d_->data.runs()) {
    for (const CheckpointMark& mark : d_->data.checkpoints(run)) {
      const auto key = checkpointKey(mark, d_->xAxis, d_->logX);
      if (!key) continue;
      const double dx = std::abs(x->coordToPixel(*key) - pos.x());
      const auto marker = checkpointPixel(run, mark.step);
      const double dy = marker ? std::abs(marker->y() - pos.y()) : std::numeric_limits<double>::infinity();
      // Nearest along the axis; among runs checkpointed at the same place, the marker nearest vertically.
      if (dx < bestDx - 0.5 || (std::abs(dx - bestDx) <= 0.5 && dy < bestDy)) {
        bestDx = dx;
        bestDy = dy;
        best = mark;
      }
    }
  }
  if (!best) return false;
  return selectCheckpoint(best->run, best->step);
}

bool RunPlotCanvas::selectCheckpoint(const QString& run, qint64 step) {
  for (const CheckpointMark& mark : d_->data.checkpoints(run)) {
    if (mark.step != step) continue;
    d_->selected = mark;
    d_->updateSelectionItems();
    d_->plot->replot(QCustomPlot::rpQueuedReplot);
    Q_EMIT checkpointSelected(run, step);
    return true;
  }
  return false;
}

std::optional<CheckpointMark> RunPlotCanvas::selectedCheckpoint() const {
  if (!d_->selected) return std::nullopt;
  // Tokens and wall time may have become known since the selection.
  for (const CheckpointMark& mark : d_->data.checkpoints(d_->selected->run))
    if (mark.step == d_->selected->step) return mark;
  return d_->selected;
}

std::optional<QPointF> RunPlotCanvas::checkpointPixel(const QString& run, qint64 step) const {
  const MetricSeries* loss = d_->data.series(run, QLatin1String(metric::kLoss));
  if (!loss) return std::nullopt;
  std::optional<double> key;
  for (const CheckpointMark& mark : d_->data.checkpoints(run))
    if (mark.step == step) key = checkpointKey(mark, d_->xAxis, d_->logX);
  const qsizetype i = markerIndex(loss, step);
  if (!key || i < 0) return std::nullopt;
  const double value = loss->smoothedValue(i);
  if (!std::isfinite(value) || (d_->logY && value <= 0)) return std::nullopt;
  return QPointF(d_->rects[0]->axis(QCPAxis::atBottom)->coordToPixel(*key),
                 d_->rects[0]->axis(QCPAxis::atLeft)->coordToPixel(value));
}

bool RunPlotCanvas::eventFilter(QObject* watched, QEvent* event) {
  if (watched == d_->plot && event->type() == QEvent::Leave) d_->hideHover();
  return QWidget::eventFilter(watched, event);
}

void RunPlotCanvas::Impl::updateSelectionItems() {
  std::optional<double> key;
  if (selected) {
    for (const CheckpointMark& mark : data.checkpoints(selected->run))
      if (mark.step == selected->step) key = checkpointKey(mark, xAxis, logX);
  }
  selectionLine->setVisible(key.has_value());
  selectionLabel->setVisible(key.has_value());
  if (!key) return;
  selectionLine->point1->setCoords(*key, 0);
  selectionLine->point2->setCoords(*key, 1);
  const QString step = RunPlotCanvas::tr("checkpoint · step %1").arg(selected->step);
  selectionLabel->setText(comparison ? runLabels.value(selected->run, selected->run) + QStringLiteral(" · ") + step
                                     : step);
  selectionLabel->position->setCoords(*key, 0.0);
}

void RunPlotCanvas::Impl::onMouseMove(QMouseEvent* event) {
  if (event->buttons() != Qt::NoButton) {
    // Dragging pans the view: from now on the person decides what is shown.
    if (pressed && (event->pos() - pressPos).manhattanLength() > kClickSlopPx) setFollowing(false);
    hideHover();
    return;
  }
  const auto point = q->nearestPoint(event->pos());
  if (!point) {
    hideHover();
    return;
  }
  const Panel panel = panelForMetric(point->name).value_or(Panel::Loss);
  QCPAxisRect* r = rect(panel);
  hoverTracer->position->setAxes(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
  hoverTracer->setClipAxisRect(r);
  hoverTracer->position->setPixelPosition(point->pixel);
  hoverTracer->setVisible(true);
  plot->layer(QStringLiteral("overlay"))->replot();

  const QLocale locale;
  QString text;
  if (comparison) text += runLabels.value(point->run, point->run) + QLatin1Char('\n');
  text += metricLabel(point->name) + QStringLiteral(": ") + QString::number(point->value, 'g', 6);
  if (PlotDataSet::isSmoothedMetric(point->name) && data.smoothingWeight() > 0)
    text += RunPlotCanvas::tr(" (smoothed %1)").arg(QString::number(point->smoothed, 'g', 6));
  text += QLatin1Char('\n') +
          RunPlotCanvas::tr("step %1 · %2 tokens · %3")
              .arg(locale.toString(point->step), locale.toString(point->tokens), formatDuration(point->wallTime));
  QToolTip::showText(plot->mapToGlobal(event->pos()), text, plot);
}

void RunPlotCanvas::Impl::onMouseRelease(QMouseEvent* event) {
  const bool click =
      pressed && event->button() == Qt::LeftButton && (event->pos() - pressPos).manhattanLength() <= kClickSlopPx;
  pressed = false;
  if (click) q->selectCheckpointNear(event->pos());
}

void RunPlotCanvas::Impl::hideHover() {
  if (!hoverTracer || !hoverTracer->visible()) return;
  hoverTracer->setVisible(false);
  plot->layer(QStringLiteral("overlay"))->replot();
  QToolTip::hideText();
}

}  // namespace temper::studio
