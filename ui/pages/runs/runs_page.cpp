#include "ui/pages/runs/runs_page.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSet>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/client/run_filter_proxy.h"
#include "ui/client/run_history_model.h"

namespace temper::studio {

RunsPage::RunsPage(RunHistoryModel* model, QWidget* parent)
    : QWidget(parent), model_(model), proxy_(new RunFilterProxy(this)) {
  proxy_->setSourceModel(model_);

  filter_ = new QLineEdit(this);
  filter_->setObjectName(QStringLiteral("runFilter"));
  filter_->setPlaceholderText(tr("Filter runs: name, id, dataset, tags, notes (Ctrl+F)"));
  filter_->setClearButtonEnabled(true);
  status_ = new QComboBox(this);
  status_->addItem(tr("Any status"), QString());
  for (const char* s : {"running", "finished", "cancelled", "failed", "created"}) {
    status_->addItem(tr(s), QString::fromLatin1(s));
  }
  method_ = new QComboBox(this);
  count_ = new QLabel(this);
  auto* refresh = new QPushButton(tr("Refresh"), this);
  compare_ = new QPushButton(tr("Compare"), this);
  compare_->setObjectName(QStringLiteral("compareRuns"));

  auto* bar = new QHBoxLayout;
  bar->addWidget(filter_, 1);
  bar->addWidget(status_);
  bar->addWidget(method_);
  bar->addWidget(compare_);
  bar->addWidget(refresh);
  bar->addWidget(count_);

  table_ = new QTableView(this);
  table_->setObjectName(QStringLiteral("runTable"));
  table_->setModel(proxy_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(RunHistoryModel::kCreated, Qt::DescendingOrder);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  // Several rows may be selected (Ctrl/Shift+click) to compare them.
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  // Opening is what a double click or Enter does, on any cell; editing is asked for: F2 on the
  // selected row (eventFilter) or the context menu.
  table_->setEditTriggers(QAbstractItemView::EditKeyPressed);
  table_->installEventFilter(this);
  table_->setAlternatingRowColors(true);
  table_->setContextMenuPolicy(Qt::CustomContextMenu);
  table_->verticalHeader()->hide();
  // Fixed row height: with 10,000 rows, per-row size hints would cost more than the data.
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->horizontalHeader()->setSectionsMovable(true);
  const int widths[] = {170, 75, 135, 95, 75, 90, 90, 60, 85, 70, 115, 90};
  for (int c = 0; c < RunHistoryModel::kNotes; ++c) table_->setColumnWidth(c, widths[c]);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(table_, 1);

  connect(filter_, &QLineEdit::textChanged, proxy_, &RunFilterProxy::setTextFilter);
  connect(status_, &QComboBox::currentIndexChanged, this,
          [this] { proxy_->setStatusFilter(status_->currentData().toString()); });
  connect(method_, &QComboBox::currentIndexChanged, this,
          [this] { proxy_->setMethodFilter(method_->currentData().toString()); });
  connect(refresh, &QPushButton::clicked, this, &RunsPage::refreshRequested);
  connect(compare_, &QPushButton::clicked, this, [this] { Q_EMIT compareRequested(selectedRunIds()); });
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsPage::updateCompare);
  connect(proxy_, &QAbstractItemModel::modelReset, this, &RunsPage::updateCompare);
  connect(table_, &QTableView::customContextMenuRequested, this, &RunsPage::showContextMenu);
  connect(table_, &QTableView::activated, this, [this](const QModelIndex& index) {
    Q_EMIT openRequested(index.data(RunHistoryModel::kRunIdRole).toString());
  });
  connect(proxy_, &QAbstractItemModel::modelReset, this, &RunsPage::updateCount);
  connect(proxy_, &QAbstractItemModel::layoutChanged, this, &RunsPage::updateCount);
  connect(proxy_, &QAbstractItemModel::rowsInserted, this, &RunsPage::updateCount);
  connect(proxy_, &QAbstractItemModel::rowsRemoved, this, &RunsPage::updateCount);
  connect(model_, &QAbstractItemModel::modelReset, this, &RunsPage::refreshMethods);
  refreshMethods();
  updateCount();
  updateCompare();
}

bool RunsPage::eventFilter(QObject* watched, QEvent* event) {
  // While a cell is edited the keys go to its editor, not here.
  if (watched == table_ && event->type() == QEvent::KeyPress && static_cast<QKeyEvent*>(event)->key() == Qt::Key_F2 &&
      static_cast<QKeyEvent*>(event)->modifiers() == Qt::NoModifier) {
    editCurrentRow();
    return true;
  }
  return QWidget::eventFilter(watched, event);
}

void RunsPage::editCurrentRow() {
  const QModelIndex current = table_->currentIndex();
  if (!current.isValid()) return;
  // The tags or notes where the cursor is; from any other cell of the row, the name.
  table_->edit((current.flags() & Qt::ItemIsEditable) ? current : current.siblingAtColumn(RunHistoryModel::kName));
}

QStringList RunsPage::selectedRunIds() const {
  QModelIndexList rows = table_->selectionModel()->selectedRows();
  std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
  QStringList ids;
  for (const QModelIndex& row : rows) ids << row.data(RunHistoryModel::kRunIdRole).toString();
  return ids;
}

void RunsPage::updateCompare() {
  const qsizetype selected = table_->selectionModel()->selectedRows().size();
  compare_->setEnabled(selected >= 2);
  compare_->setToolTip(selected >= 2 ? tr("Overlay the selected runs' curves and compare their settings")
                                     : tr("Select two or more runs (Ctrl+click or Shift+click) to compare them"));
}

void RunsPage::focusFilter() {
  filter_->setFocus(Qt::ShortcutFocusReason);
  filter_->selectAll();
}

void RunsPage::refreshMethods() {
  const QString current = method_->currentData().toString();
  QSet<QString> methods;
  for (int row = 0; row < model_->rowCount(); ++row)
    methods.insert(QString::fromStdString(model_->summaryAt(row).run.method));
  QStringList sorted(methods.begin(), methods.end());
  sorted.removeAll(QString());
  sorted.sort();
  method_->blockSignals(true);
  method_->clear();
  method_->addItem(tr("Any method"), QString());
  for (const QString& m : sorted) method_->addItem(m, m);
  method_->setCurrentIndex(qMax(0, method_->findData(current)));
  method_->blockSignals(false);
}

void RunsPage::updateCount() { count_->setText(tr("%1 of %2 runs").arg(proxy_->rowCount()).arg(model_->rowCount())); }

QString RunsPage::currentRunId() const {
  const QModelIndex index = table_->currentIndex();
  return index.isValid() ? index.data(RunHistoryModel::kRunIdRole).toString() : QString();
}

void RunsPage::showContextMenu(const QPoint& pos) {
  const QModelIndex index = table_->indexAt(pos);
  if (!index.isValid()) return;
  // A right click inside the selection keeps it (to compare it); elsewhere it selects that row.
  if (!table_->selectionModel()->isRowSelected(index.row(), index.parent())) table_->setCurrentIndex(index);
  const QString id = index.data(RunHistoryModel::kRunIdRole).toString();
  const QString status = index.data(RunHistoryModel::kStatusRole).toString();
  const QModelIndex source = proxy_->mapToSource(index);

  QMenu menu(this);
  menu.addAction(tr("Open"), this, [this, id] { Q_EMIT openRequested(id); });
  menu.addAction(tr("Rename…"), this, [this, source] {
    table_->edit(proxy_->mapFromSource(source.siblingAtColumn(RunHistoryModel::kName)));
  });
  menu.addAction(tr("Edit tags"), this, [this, source] {
    table_->edit(proxy_->mapFromSource(source.siblingAtColumn(RunHistoryModel::kTags)));
  });
  menu.addAction(tr("Edit notes"), this, [this, source] {
    table_->edit(proxy_->mapFromSource(source.siblingAtColumn(RunHistoryModel::kNotes)));
  });
  menu.addSeparator();
  menu.addAction(tr("Duplicate into the wizard…"), this, [this, id] { Q_EMIT duplicateRequested(id); });
  QAction* resume = menu.addAction(tr("Resume"), this, [this, id] { Q_EMIT resumeRequested(id, 0); });
  QAction* extend = menu.addAction(tr("Extend…"), this, [this, id, source] {
    const qint64 steps = model_->summaryAt(source.row()).steps;
    bool ok = false;
    const int target = QInputDialog::getInt(this, tr("Extend run"), tr("Train until step:"),
                                            static_cast<int>(qMax<qint64>(steps * 2, steps + 1)),
                                            static_cast<int>(steps + 1), 2'000'000'000, 1, &ok);
    if (ok) Q_EMIT resumeRequested(id, target);
  });
  // Resume continues a stopped run; a finished one can only be extended; a live one neither.
  const bool live = status == QLatin1String("running");
  resume->setEnabled(status == QLatin1String("cancelled") || status == QLatin1String("failed"));
  extend->setEnabled(!live && status != QLatin1String("created"));
  const QStringList picked = selectedRunIds();
  QAction* compare =
      menu.addAction(tr("Compare selected runs"), this, [this, picked] { Q_EMIT compareRequested(picked); });
  compare->setEnabled(picked.size() >= 2);
  if (picked.size() < 2) compare->setToolTip(tr("Select two or more runs to compare them"));
  menu.setToolTipsVisible(true);
  menu.addSeparator();
  QAction* remove = menu.addAction(tr("Delete…"), this, [this, id] { Q_EMIT deleteRequested(id); });
  remove->setEnabled(!live);
  menu.exec(table_->viewport()->mapToGlobal(pos));
}

}  // namespace temper::studio
