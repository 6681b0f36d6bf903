#include "ui/pages/compare/compare_page.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>
#include <memory>

#include "core/common/error.h"
#include "core/store/store.h"
#include "ui/client/run_filter_proxy.h"
#include "ui/client/run_history_model.h"
#include "ui/pages/compare/run_comparison_model.h"
#include "ui/pages/compare/run_pick_proxy.h"
#include "ui/plot/live_run_plot.h"
#include "ui/plot/method_metrics_view.h"
#include "ui/plot/metric_groups.h"
#include "ui/plot/metric_sample.h"
#include "ui/plot/plot_data_set.h"
#include "ui/plot/plot_theme.h"
#include "ui/plot/run_plot_canvas.h"

namespace temper::studio {

/// What the worker reads for each picked run: its train config and its loss curves.
struct ComparePage::LoadResult {
  struct Run {
    QString id;
    QJsonObject train;
    QVector<MetricSample> samples;
    QVector<MetricSample> method_samples;  ///< the method's own measures, as the store names them
    QVector<qint64> checkpoints;           ///< steps
  };
  QVector<Run> runs;
  QString error;
};

namespace {

constexpr int kDebounceMs = 150;  // several ticks in a row load once

// Runs on the worker thread: its own read-only connection (a Store is one per thread).
void readRuns(const QString& database, const QStringList& ids, ComparePage::LoadResult* out);

}  // namespace

ComparePage::ComparePage(RunHistoryModel* history, QWidget* parent)
    : QWidget(parent),
      history_(history),
      pick_(new RunPickProxy(this)),
      filter_proxy_(new RunFilterProxy(this)),
      comparison_(new RunComparisonModel(this)) {
  pick_->setSourceModel(history_);
  filter_proxy_->setSourceModel(pick_);

  auto* heading = new QLabel(tr("Compare runs"), this);
  QFont font = heading->font();
  font.setPointSizeF(font.pointSizeF() * 1.3);
  font.setBold(true);
  heading->setFont(font);

  // Left: the runs to pick from.
  auto* picker = new QWidget(this);
  filter_ = new QLineEdit(picker);
  filter_->setObjectName(QStringLiteral("compareFilter"));
  filter_->setPlaceholderText(tr("Filter runs: name, id, method, dataset, tags"));
  filter_->setClearButtonEnabled(true);
  run_table_ = new QTableView(picker);
  run_table_->setObjectName(QStringLiteral("compareRunTable"));
  run_table_->setModel(filter_proxy_);
  run_table_->setSortingEnabled(true);
  run_table_->sortByColumn(RunHistoryModel::kCreated, Qt::DescendingOrder);
  run_table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  run_table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  run_table_->verticalHeader()->hide();
  run_table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  run_table_->verticalHeader()->setDefaultSectionSize(run_table_->fontMetrics().height() + 8);
  for (int c = 0; c < history_->columnCount(); ++c) {
    run_table_->setColumnHidden(c, c != RunHistoryModel::kName && c != RunHistoryModel::kMethod &&
                                       c != RunHistoryModel::kStatus && c != RunHistoryModel::kBestValLoss);
  }
  run_table_->setColumnWidth(RunHistoryModel::kName, 165);
  run_table_->setColumnWidth(RunHistoryModel::kMethod, 70);
  run_table_->setColumnWidth(RunHistoryModel::kStatus, 72);
  run_table_->horizontalHeader()->setStretchLastSection(true);
  picked_label_ = new QLabel(picker);
  clear_ = new QPushButton(tr("Clear"), picker);
  clear_->setToolTip(tr("Unpick every run"));
  reload_button_ = new QPushButton(tr("Reload"), picker);
  reload_button_->setToolTip(tr("Read the picked runs' curves again (for runs still training)"));
  auto* picker_bar = new QHBoxLayout;
  picker_bar->addWidget(picked_label_, 1);
  picker_bar->addWidget(reload_button_);
  picker_bar->addWidget(clear_);
  auto* picker_layout = new QVBoxLayout(picker);
  picker_layout->setContentsMargins(0, 0, 0, 0);
  picker_layout->addWidget(filter_);
  picker_layout->addWidget(run_table_, 1);
  picker_layout->addLayout(picker_bar);

  // Right: the curves over the table.
  auto* right = new QSplitter(Qt::Vertical, this);
  auto* plot = new LiveRunPlot(right);
  plot->setObjectName(QStringLiteral("comparePlot"));
  plot->canvas()->setAuxiliaryPlotsVisible(false);  // loss only: lr and grad norm overlaid say little
  // Checkpoint actions belong to one run: its own view has them (Evaluate, Open in playground).
  plot->setEvaluateAvailable(false, tr("Open the run (Runs page) to evaluate its checkpoints"));
  plot->setPlaygroundAvailable(false, tr("Open the run (Runs page) to chat with its checkpoints"));
  plot_ = plot;
  right->addWidget(plot);
  // The methods' own measures (DPO's margins and accuracies, GRPO's rewards) overlaid per group.
  method_metrics_ = new MethodMetricsView(right);
  method_metrics_->setObjectName(QStringLiteral("compareMethodMetrics"));
  auto* method_scroll = new QScrollArea(right);
  method_scroll->setWidget(method_metrics_);
  method_scroll->setWidgetResizable(true);
  method_scroll->setFrameShape(QFrame::NoFrame);
  method_scroll->setVisible(false);
  connect(method_metrics_, &MethodMetricsView::emptyChanged, method_scroll, [method_scroll, right](bool empty) {
    method_scroll->setVisible(!empty);
    if (!empty && right->height() > 0) {  // loss curves, the measures, the table: 4 : 4 : 2
      const int h = right->height();
      right->setSizes({h * 2 / 5, h * 2 / 5, h - 4 * h / 5});
    }
  });
  right->addWidget(method_scroll);
  auto* table_box = new QWidget(right);
  state_ = new QLabel(table_box);
  state_->setObjectName(QStringLiteral("compareState"));
  state_->setWordWrap(true);
  table_ = new QTableView(table_box);
  table_->setObjectName(QStringLiteral("comparisonTable"));
  table_->setModel(comparison_);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setWordWrap(false);
  table_->horizontalHeader()->setDefaultSectionSize(160);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  auto* table_layout = new QVBoxLayout(table_box);
  table_layout->setContentsMargins(0, 0, 0, 0);
  table_layout->addWidget(state_);
  table_layout->addWidget(table_, 1);
  right->addWidget(table_box);
  right->setStretchFactor(0, 3);
  right->setStretchFactor(1, 2);
  right->setStretchFactor(2, 2);
  right->setSizes({450, 340, 300});  // the curves first; the table scrolls

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(picker);
  split->addWidget(right);
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  split->setSizes({410, 870});

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(heading);
  layout->addWidget(split, 1);

  debounce_.setSingleShot(true);
  debounce_.setInterval(kDebounceMs);
  connect(&debounce_, &QTimer::timeout, this, &ComparePage::startLoad);
  connect(filter_, &QLineEdit::textChanged, filter_proxy_, &RunFilterProxy::setTextFilter);
  connect(pick_, &RunPickProxy::checkedChanged, this, [this] { debounce_.start(); });
  connect(clear_, &QPushButton::clicked, this, [this] { pick_->setCheckedIds({}); });
  connect(reload_button_, &QPushButton::clicked, this, &ComparePage::reload);
  startLoad();  // the empty state's words
}

ComparePage::~ComparePage() {
  if (loader_) loader_->wait();  // it writes into a result this page owns through the lambda
}

void ComparePage::setRuns(const QStringList& run_ids) {
  pick_->setCheckedIds(run_ids);
  debounce_.stop();
  startLoad();
}

QStringList ComparePage::pickedRuns() const { return pick_->checkedIds(); }

void ComparePage::reload() {
  debounce_.stop();
  startLoad();
}

void ComparePage::startLoad() {
  const QStringList ids = pick_->checkedIds();
  picked_label_->setText(tr("%n run(s) picked", nullptr, static_cast<int>(ids.size())));
  clear_->setEnabled(!ids.isEmpty());
  reload_button_->setEnabled(!ids.isEmpty());
  if (loader_) {
    load_again_ = true;  // one load at a time; the latest picks win
    return;
  }
  if (ids.isEmpty()) {
    LoadResult empty;
    applyLoad(empty);
    state_->setText(
        tr("Tick runs on the left (or select runs on the Runs page and choose Compare) to overlay "
           "their loss curves and compare their settings."));
    return;
  }
  state_->setText(tr("Reading %n run(s) from the store…", nullptr, static_cast<int>(ids.size())));
  auto result = std::make_shared<LoadResult>();
  const QString database = history_->databasePath();
  loader_ = QThread::create([database, ids, result] { readRuns(database, ids, result.get()); });
  connect(loader_, &QThread::finished, this, [this, result] {
    loader_->deleteLater();
    loader_ = nullptr;
    if (load_again_) {
      load_again_ = false;
      startLoad();
      return;
    }
    applyLoad(*result);
  });
  loader_->start();
}

void ComparePage::applyLoad(const LoadResult& result) {
  QVector<ComparedRun> runs;
  auto* plot = static_cast<LiveRunPlot*>(plot_);
  plot->clear();
  method_metrics_->clear();
  for (const LoadResult::Run& loaded : result.runs) {
    const int row = history_->rowOf(loaded.id);
    if (row < 0) continue;  // deleted meanwhile
    ComparedRun run;
    run.summary = history_->summaryAt(row);
    run.train_config = loaded.train;
    runs.push_back(run);
    plot->setRunLabel(loaded.id,
                      QString::fromStdString(run.summary.run.name.empty() ? run.summary.run.id : run.summary.run.name));
    plot->appendSamples(loaded.samples);
    for (qint64 step : loaded.checkpoints) plot->addCheckpoint({loaded.id, step});
    // Named in the same order as the loss plot's runs, so run i has the same colour in both.
    method_metrics_->setRunLabel(
        loaded.id, QString::fromStdString(run.summary.run.name.empty() ? run.summary.run.id : run.summary.run.name));
    method_metrics_->appendSamples(loaded.method_samples);
  }
  comparison_->setRuns(runs);
  updateColors();
  if (!result.error.isEmpty()) {
    state_->setText(tr("Could not read the store: %1").arg(result.error));
  } else if (!runs.isEmpty()) {
    const int differing = static_cast<int>(comparison_->diff().differing.size());
    state_->setText(runs.size() < 2
                        ? tr("Pick another run to see what differs.")
                        : tr("%n setting(s) differ between the picked runs (highlighted, first).", nullptr, differing));
  }
  Q_EMIT loaded();
}

void ComparePage::updateColors() {
  // The plot gives run i of its data the theme's i-th colour; the table's swatches say the same.
  auto* plot = static_cast<LiveRunPlot*>(plot_);
  const PlotTheme theme = PlotTheme::fromPalette(plot->canvas()->palette());
  const QStringList plotted = plot->canvas()->data().runs();
  QVector<ComparedRun> runs = comparison_->runs();
  bool changed = false;
  for (ComparedRun& run : runs) {
    const int index = static_cast<int>(plotted.indexOf(QString::fromStdString(run.summary.run.id)));
    const QColor color = index >= 0 ? theme.runColor(index) : QColor();
    if (color != run.color) {
      run.color = color;
      changed = true;
    }
  }
  if (changed) comparison_->setRuns(runs);
}

void ComparePage::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange) updateColors();
}

namespace {

void readRuns(const QString& database, const QStringList& ids, ComparePage::LoadResult* out) {
  try {
    const Store store = Store::openReadOnly(database.toStdString());
    for (const QString& id : ids) {
      const auto run = store.findRun(id.toStdString());
      if (!run) continue;
      ComparePage::LoadResult::Run loaded;
      loaded.id = id;
      loaded.train = QJsonDocument::fromJson(QByteArray::fromStdString(run->config_json))
                         .object()
                         .value(QStringLiteral("train"))
                         .toObject();
      // The store names the train loss `train_loss`; the plot takes the event's name, `loss`.
      for (const char* name : {"train_loss", "val_loss"}) {
        const QString plot_name = QLatin1String(name) == QLatin1String("train_loss") ? QLatin1String(metric::kLoss)
                                                                                     : QLatin1String(metric::kValLoss);
        for (const MetricPoint& p : store.metrics(run->id, name)) {
          loaded.samples.push_back({id, plot_name, p.step, p.tokens_seen, p.wall_time_s, p.value});
        }
      }
      for (const MetricPoint& p : store.metrics(run->id)) {
        const QString name = QString::fromStdString(p.name);
        if (parseMethodMetric(name).base.isEmpty()) continue;
        loaded.method_samples.push_back({id, name, p.step, p.tokens_seen, p.wall_time_s, p.value});
      }
      for (const CheckpointRecord& c : store.checkpoints(run->id)) loaded.checkpoints.push_back(c.step);
      out->runs.push_back(std::move(loaded));
    }
  } catch (const Error& e) {
    out->error = QString::fromUtf8(e.what());
  }
}

}  // namespace

}  // namespace temper::studio
