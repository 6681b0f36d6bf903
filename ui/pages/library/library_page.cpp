#include "ui/pages/library/library_page.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

#include "ui/client/engine_queries.h"

namespace temper::studio {
namespace {

QFont headingFont(const QFont& base, double scale) {
  QFont font = base;
  font.setPointSizeF(font.pointSizeF() * scale);
  font.setBold(true);
  return font;
}

}  // namespace

LibraryPage::LibraryPage(const Setup& setup, QSettings* settings, EngineQueries* engine, QWidget* parent)
    : QWidget(parent), setup_(setup), settings_(settings), engine_(engine), library_(new LibraryModel(this)) {
  auto* heading = new QLabel(setup_.heading, this);
  heading->setFont(headingFont(font(), 1.3));

  // Left: the list and what can be done to it.
  auto* left = new QWidget(this);
  // A tree view, flat for the entries' own list: a page may show a model with child rows instead.
  list_ = new QTreeView(left);
  list_->setObjectName(setup_.object_prefix + QStringLiteral("List"));
  list_->setRootIsDecorated(false);
  list_->setUniformRowHeights(true);
  list_->setAllColumnsShowFocus(true);
  list_->setSelectionBehavior(QAbstractItemView::SelectRows);
  list_->setSelectionMode(QAbstractItemView::SingleSelection);
  list_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  list_->setWordWrap(false);
  list_->setTextElideMode(Qt::ElideMiddle);  // the end of a path names the file
  list_->header()->setStretchLastSection(true);
  setListModel(library_);
  list_->setColumnWidth(LibraryModel::kName, 190);
  list_->setColumnWidth(LibraryModel::kOrigin, 80);
  auto* buttons = new QHBoxLayout;
  if (!setup_.add_file_title.isEmpty()) {
    auto* add_file = new QPushButton(tr("Add file…"), left);
    buttons->addWidget(add_file);
    connect(add_file, &QPushButton::clicked, this, [this] {
      const QString file = QFileDialog::getOpenFileName(this, setup_.add_file_title, QString(), setup_.add_file_filter);
      if (!file.isEmpty()) addPath(file);
    });
  }
  auto* add_folder = new QPushButton(tr("Add folder…"), left);
  add_folder->setToolTip(setup_.add_folder_tip);
  remove_ = new QPushButton(tr("Remove"), left);
  auto* refresh_button = new QPushButton(tr("Refresh"), left);
  buttons->addWidget(add_folder);
  buttons->addWidget(remove_);
  buttons->addStretch(1);
  buttons->addWidget(refresh_button);
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(0, 0, 0, 0);
  left_layout->addWidget(list_, 1);
  left_layout->addLayout(buttons);

  // Right: what the engine says about the selected entry.
  detail_ = new QWidget(this);
  title_ = new QLabel(setup_.nothing_selected, detail_);
  title_->setFont(headingFont(font(), 1.1));
  title_->setWordWrap(true);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  busy_ = new QProgressBar(detail_);
  busy_->setRange(0, 0);  // the engine gives no progress for an inspection: a busy bar
  busy_->setMaximumWidth(120);
  busy_->setTextVisible(false);
  busy_->hide();
  state_ = new QLabel(detail_);
  state_->setObjectName(setup_.object_prefix + QStringLiteral("State"));
  auto* state_row = new QHBoxLayout;
  state_row->addWidget(busy_);
  state_row->addWidget(state_, 1);
  error_ = new QLabel(detail_);
  error_->setObjectName(setup_.object_prefix + QStringLiteral("Error"));
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->setStyleSheet(QStringLiteral("color: #d0392b;"));
  error_->hide();

  // In a widget of its own, so a page can hide the summary whole (QFormLayout in Qt 6.4 lays out
  // word-wrapped rows at zero height once rows around them are hidden).
  summary_ = new QWidget(detail_);
  form_ = new QFormLayout(summary_);
  form_->setContentsMargins(0, 0, 0, 0);
  form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  for (const auto& [id, label] : setup_.summary) {
    auto* value = new QLabel(QStringLiteral("—"), summary_);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    values_.insert(QString::fromLatin1(id), value);
    form_->addRow(label + QLatin1Char(':'), value);
  }

  detail_layout_ = new QVBoxLayout(detail_);
  detail_layout_->setContentsMargins(0, 0, 0, 0);
  detail_layout_->addWidget(title_);
  detail_layout_->addLayout(state_row);
  detail_layout_->addWidget(error_);
  detail_layout_->addWidget(summary_);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(left);
  split->addWidget(detail_);
  split->setStretchFactor(1, 1);
  split->setSizes({setup_.list_width, setup_.detail_width});
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(heading);
  layout->addWidget(split, 1);

  connect(add_folder, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, setup_.add_folder_title);
    if (!dir.isEmpty()) addPath(dir);
  });
  connect(remove_, &QPushButton::clicked, this, [this] { removePath(selected_); });
  connect(refresh_button, &QPushButton::clicked, this, &LibraryPage::refresh);
}

void LibraryPage::setListModel(QAbstractItemModel* model) {
  QItemSelectionModel* old = list_->selectionModel();
  list_->setModel(model);
  delete old;  // setModel leaves the old selection model to its caller
  connect(list_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LibraryPage::onCurrentChanged);
}

void LibraryPage::onCurrentChanged(const QModelIndex& index) {
  const QString path = index.isValid() ? index.siblingAtColumn(0).data(LibraryModel::kPathRole).toString() : QString();
  if (path == selected_) return;
  selected_ = path;
  inspectSelected();
}

// A running inspection or export is a child of the page: destroying the page kills its engine.
LibraryPage::~LibraryPage() = default;

QPushButton* LibraryPage::makeNewRunButton() {
  new_run_ = new QPushButton(setup_.new_run_text, detail_);
  new_run_->setObjectName(setup_.new_run_object);
  connect(new_run_, &QPushButton::clicked, this, [this] {
    const LibraryEntry* entry = selectedEntry();
    const QString name = entry ? entry->name : QFileInfo(selected_).fileName();
    Q_EMIT newRunRequested(newRunSeed(), newRunLabel(name));
  });
  return new_run_;
}

void LibraryPage::setWorkspace(const QString& workspace) {
  if (workspace == workspace_) return;
  workspace_ = workspace;
  selected_.clear();
  refresh();
}

void LibraryPage::refresh() {
  QVector<LibraryEntry> entries;
  for (const QString& path : addedPaths(settings_, workspace_, setup_.list)) {
    const QFileInfo info(path);
    LibraryEntry e;
    e.name = info.fileName();
    e.path = path;
    e.origin = LibraryEntry::Origin::Added;
    const bool there = setup_.added_are_folders ? info.isDir() : info.exists();
    e.detail = there ? QString() : setup_.missing;
    entries.push_back(e);
  }
  entries += workspaceEntries();
  const QString keep = selected_;
  library_->setEntries(entries);
  if (!reselectPath(*list_, keep) && !keep.isEmpty()) {
    selected_.clear();
    inspectSelected();
  }
  updateActions();
}

void LibraryPage::addPath(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  if (addToAddedPaths(settings_, workspace_, setup_.list, absolute)) refresh();
  select(absolute);
}

void LibraryPage::removePath(const QString& path) {
  if (removeFromAddedPaths(settings_, workspace_, setup_.list, path)) refresh();
}

bool LibraryPage::select(const QString& path) {
  const QModelIndex index = indexOfPath(*list_->model(), path);
  if (!index.isValid()) return false;
  if (selected_ == path) {
    inspectSelected();  // selecting again asks again (the files may have changed)
  } else {
    list_->setCurrentIndex(index);  // currentRowChanged inspects
  }
  return true;
}

const LibraryEntry* LibraryPage::selectedEntry() const {
  const int row = library_->rowOfPath(selected_);
  return row >= 0 ? &library_->entryAt(row) : nullptr;
}

void LibraryPage::inspectSelected() {
  delete inspect_request_;  // the person moved on: the earlier inspection's child is killed
  has_inspection_ = false;
  last_error_.clear();
  clearAnswer();
  error_->hide();
  for (QLabel* value : std::as_const(values_)) value->setText(QStringLiteral("—"));
  if (selected_.isEmpty()) {
    inspecting_ = false;
    title_->setText(setup_.nothing_selected);
    state_->clear();
    busy_->hide();
    updateActions();
    return;
  }
  title_->setText(QDir::toNativeSeparators(selected_));
  inspecting_ = true;
  state_->setText(setup_.inspecting);
  busy_->show();
  updateActions();
  auto* request = new QObject(this);
  inspect_request_ = request;
  askEngine(selected_, request, [this, request](const EngineReply& reply) {
    inspect_request_.clear();
    request->deleteLater();
    inspecting_ = false;
    if (reply.ok) {
      const QString problem = takeAnswer(reply.json);
      if (problem.isEmpty()) {
        has_inspection_ = true;
      } else {
        last_error_ = tr("The engine's answer could not be read: %1").arg(problem);
      }
    } else {
      last_error_ = reply.error;
    }
    showInspection();
  });
}

void LibraryPage::showInspection() {
  busy_->hide();
  if (!has_inspection_) {
    state_->setText(setup_.unreadable);
    error_->setText(last_error_);
    error_->show();
  } else {
    showAnswer();
  }
  updateActions();
  Q_EMIT inspected();
}

void LibraryPage::setSummary(const QString& field, const QString& value) {
  if (QLabel* label = values_.value(field)) label->setText(value);
}

void LibraryPage::setSummaryShown(bool shown) { summary_->setVisible(shown); }

void LibraryPage::setStateText(const QString& text) { state_->setText(text); }

QString LibraryPage::summaryValue(const QString& field) const {
  const QLabel* label = values_.value(field);
  return label ? label->text() : QString();
}

void LibraryPage::updateActions() {
  const LibraryEntry* entry = selectedEntry();
  const bool added = entry && entry->origin == LibraryEntry::Origin::Added;
  remove_->setEnabled(added);
  remove_->setToolTip(added ? setup_.remove_tip : setup_.remove_refused_tip);
  if (new_run_) {
    new_run_->setEnabled(has_inspection_ && !inspecting_);
    new_run_->setToolTip(has_inspection_ ? setup_.new_run_tip : setup_.new_run_waiting_tip);
  }
  updatePageActions();
}

}  // namespace temper::studio
