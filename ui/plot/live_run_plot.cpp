#include "ui/plot/live_run_plot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

#include "ui/plot/plot_data_set.h"
#include "ui/plot/run_plot_canvas.h"

namespace temper::studio {
namespace {

// TensorBoard's default: smooth enough to read the trend of a noisy loss, light enough to keep
// its shape.
constexpr double kDefaultSmoothing = 0.6;

}  // namespace

LiveRunPlot::LiveRunPlot(QWidget* parent) : QWidget(parent) {
  canvas_ = new RunPlotCanvas(this);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(buildToolBar());
  layout->addWidget(canvas_, 1);
  layout->addWidget(buildCheckpointBar());
  connect(canvas_, &RunPlotCanvas::checkpointSelected, this, [this](const QString& run, qint64 step) {
    updateCheckpointBar();
    Q_EMIT checkpointSelected(run, step);
  });
  connect(canvas_, &RunPlotCanvas::checkpointSelectionCleared, this, [this] { updateCheckpointBar(); });
  setSmoothing(kDefaultSmoothing);
  updateCheckpointBar();
}

QWidget* LiveRunPlot::buildToolBar() {
  auto* bar = new QWidget(this);
  auto* row = new QHBoxLayout(bar);
  row->setContentsMargins(4, 2, 4, 2);

  row->addWidget(new QLabel(tr("X axis:"), bar));
  xAxisBox_ = new QComboBox(bar);
  xAxisBox_->addItem(tr("Step"), static_cast<int>(XAxis::Step));
  xAxisBox_->addItem(tr("Tokens seen"), static_cast<int>(XAxis::Tokens));
  xAxisBox_->addItem(tr("Wall time"), static_cast<int>(XAxis::WallTime));
  connect(xAxisBox_, &QComboBox::currentIndexChanged, this,
          [this](int) { canvas_->setXAxis(static_cast<XAxis>(xAxisBox_->currentData().toInt())); });
  row->addWidget(xAxisBox_);

  row->addSpacing(12);
  row->addWidget(new QLabel(tr("Smoothing:"), bar));
  smoothingSlider_ = new QSlider(Qt::Horizontal, bar);
  smoothingSlider_->setRange(0, 99);
  smoothingSlider_->setFixedWidth(140);
  smoothingSlider_->setToolTip(
      tr("Exponential moving average of the noisy curves (bias-corrected, as in "
         "TensorBoard); the raw curve stays faint beneath"));
  smoothingValue_ = new QLabel(bar);
  smoothingValue_->setMinimumWidth(QFontMetrics(font()).horizontalAdvance(QStringLiteral("0.00")) + 4);
  // Re-smoothing a million points takes tens of milliseconds: while the slider is dragged, apply
  // the latest value once the drag pauses for a frame or two, and show the number at once.
  smoothingTimer_ = new QTimer(this);
  smoothingTimer_->setSingleShot(true);
  smoothingTimer_->setInterval(40);
  connect(smoothingTimer_, &QTimer::timeout, this,
          [this] { canvas_->setSmoothing(smoothingSlider_->value() / 100.0); });
  connect(smoothingSlider_, &QSlider::valueChanged, this, [this](int v) {
    smoothingValue_->setText(QString::number(v / 100.0, 'f', 2));
    smoothingTimer_->start();
  });
  row->addWidget(smoothingSlider_);
  row->addWidget(smoothingValue_);

  row->addSpacing(12);
  logXBox_ = new QCheckBox(tr("Log x"), bar);
  logYBox_ = new QCheckBox(tr("Log y"), bar);
  logYBox_->setToolTip(tr("Logarithmic loss axis; values at or below zero are left out"));
  connect(logXBox_, &QCheckBox::toggled, canvas_, &RunPlotCanvas::setLogX);
  connect(logYBox_, &QCheckBox::toggled, canvas_, &RunPlotCanvas::setLogY);
  row->addWidget(logXBox_);
  row->addWidget(logYBox_);
  row->addStretch(1);

  auto* reset = new QToolButton(bar);
  reset->setText(tr("Reset view"));
  reset->setToolTip(tr("Show all data and follow new points (wheel zooms, drag pans)"));
  connect(reset, &QToolButton::clicked, canvas_, &RunPlotCanvas::resetView);
  row->addWidget(reset);

  auto* exportButton = new QToolButton(bar);
  exportButton->setText(tr("Export"));
  exportButton->setPopupMode(QToolButton::InstantPopup);
  auto* menu = new QMenu(exportButton);
  menu->addAction(tr("Plot as PNG…"), this, [this] { exportPicture(QStringLiteral("png"), tr("PNG image (*.png)")); });
  QAction* svg = menu->addAction(tr("Plot as SVG…"), this,
                                 [this] { exportPicture(QStringLiteral("svg"), tr("SVG image (*.svg)")); });
  if (!RunPlotCanvas::svgExportAvailable()) {
    svg->setEnabled(false);
    svg->setToolTip(tr("This build has no SVG support"));
  }
  menu->addAction(tr("Plot as PDF…"), this,
                  [this] { exportPicture(QStringLiteral("pdf"), tr("PDF document (*.pdf)")); });
  menu->addSeparator();
  menu->addAction(tr("Data as CSV…"), this, [this] { exportCsv(); });
  exportButton->setMenu(menu);
  row->addWidget(exportButton);
  return bar;
}

QWidget* LiveRunPlot::buildCheckpointBar() {
  auto* bar = new QWidget(this);
  auto* row = new QHBoxLayout(bar);
  row->setContentsMargins(4, 2, 4, 2);
  checkpointLabel_ = new QLabel(bar);
  row->addWidget(checkpointLabel_, 1);
  evaluateButton_ = new QPushButton(tr("Evaluate"), bar);
  playgroundButton_ = new QPushButton(tr("Open in playground"), bar);
  connect(evaluateButton_, &QPushButton::clicked, this, [this] {
    if (const auto mark = canvas_->selectedCheckpoint()) Q_EMIT evaluateRequested(mark->run, mark->step);
  });
  connect(playgroundButton_, &QPushButton::clicked, this, [this] {
    if (const auto mark = canvas_->selectedCheckpoint()) Q_EMIT openInPlaygroundRequested(mark->run, mark->step);
  });
  row->addWidget(evaluateButton_);
  row->addWidget(playgroundButton_);
  return bar;
}

void LiveRunPlot::updateCheckpointBar() {
  const auto mark = canvas_->selectedCheckpoint();
  if (mark) {
    QString text = tr("Checkpoint at step %1").arg(mark->step);
    if (canvas_->data().runs().size() > 1) text = canvas_->runLabel(mark->run) + QStringLiteral(" · ") + text;
    checkpointLabel_->setText(text);
  } else {
    checkpointLabel_->setText(tr("Click near a checkpoint marker (◆) to select it."));
  }
  evaluateButton_->setEnabled(mark.has_value() && evaluateAvailable_);
  playgroundButton_->setEnabled(mark.has_value() && playgroundAvailable_);
  evaluateButton_->setToolTip(evaluateAvailable_ ? tr("Evaluate this checkpoint") : evaluateReason_);
  playgroundButton_->setToolTip(playgroundAvailable_ ? tr("Generate text with this checkpoint") : playgroundReason_);
}

void LiveRunPlot::appendSamples(const QVector<MetricSample>& samples) { canvas_->appendSamples(samples); }
void LiveRunPlot::addCheckpoint(const CheckpointMark& mark) { canvas_->addCheckpoint(mark); }
void LiveRunPlot::setRunLabel(const QString& run, const QString& label) { canvas_->setRunLabel(run, label); }

void LiveRunPlot::clear() {
  canvas_->clear();
  updateCheckpointBar();
}

void LiveRunPlot::setXAxis(XAxis axis) { xAxisBox_->setCurrentIndex(xAxisBox_->findData(static_cast<int>(axis))); }

void LiveRunPlot::setSmoothing(double weight) {
  smoothingSlider_->setValue(static_cast<int>(std::lround(weight * 100)));
  // Set programmatically: apply now, not after the slider's pause (and also when the value did not
  // change, so canvas and label always agree).
  smoothingTimer_->stop();
  canvas_->setSmoothing(smoothingSlider_->value() / 100.0);
  smoothingValue_->setText(QString::number(smoothingSlider_->value() / 100.0, 'f', 2));
}

void LiveRunPlot::setLogX(bool on) { logXBox_->setChecked(on); }
void LiveRunPlot::setLogY(bool on) { logYBox_->setChecked(on); }

void LiveRunPlot::setEvaluateAvailable(bool available, const QString& reason) {
  evaluateAvailable_ = available;
  evaluateReason_ = reason;
  updateCheckpointBar();
}

void LiveRunPlot::setPlaygroundAvailable(bool available, const QString& reason) {
  playgroundAvailable_ = available;
  playgroundReason_ = reason;
  updateCheckpointBar();
}

void LiveRunPlot::exportPicture(const QString& suffix, const QString& filter) {
  QString path = QFileDialog::getSaveFileName(this, tr("Export plot"), QStringLiteral("training.") + suffix, filter);
  if (path.isEmpty()) return;
  if (!path.endsWith(QLatin1Char('.') + suffix, Qt::CaseInsensitive)) path += QLatin1Char('.') + suffix;
  QString error;
  // What is on screen; a PNG at twice the pixels so it stays sharp in documents.
  if (!canvas_->saveImage(path, canvas_->size(), &error, 2.0)) QMessageBox::warning(this, tr("Export plot"), error);
}

void LiveRunPlot::exportCsv() {
  QString path =
      QFileDialog::getSaveFileName(this, tr("Export data"), QStringLiteral("metrics.csv"), tr("CSV file (*.csv)"));
  if (path.isEmpty()) return;
  if (!path.endsWith(QStringLiteral(".csv"), Qt::CaseInsensitive)) path += QStringLiteral(".csv");
  QString error;
  if (!canvas_->saveCsv(path, &error)) QMessageBox::warning(this, tr("Export data"), error);
}

}  // namespace temper::studio
