#include "ui/shell/datasets_page.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/client/engine_queries.h"
#include "ui/client/formatting.h"
#include "ui/shell/library_model.h"
#include "ui/wizard/data_preview_model.h"

namespace temper::studio {
namespace {

const QString kList = QStringLiteral("datasets");

QLabel* valueLabel(QWidget* parent) {
  auto* label = new QLabel(QStringLiteral("—"), parent);
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  label->setWordWrap(true);
  return label;
}

// A record as people read a training example: each field under its name, strings with their
// real line breaks (a prompt's "\n" matters), other values as compact JSON.
QString recordText(const QJsonObject& record) {
  QString text;
  for (auto it = record.begin(); it != record.end(); ++it) {
    text += QStringLiteral("── %1 ──\n").arg(it.key());
    if (it.value().isString()) {
      text += it.value().toString();
    } else {
      const QJsonDocument doc =
          it.value().isObject() ? QJsonDocument(it.value().toObject()) : QJsonDocument(QJsonArray{it.value()});
      QString json = QString::fromUtf8(doc.toJson(QJsonDocument::Compact));
      if (!it.value().isObject()) json = json.mid(1).chopped(1);
      text += json;
    }
    text += QStringLiteral("\n\n");
  }
  return text.trimmed();
}

QFont headingFont(const QFont& base, double scale) {
  QFont font = base;
  font.setPointSizeF(font.pointSizeF() * scale);
  font.setBold(true);
  return font;
}

}  // namespace

DatasetsPage::DatasetsPage(QSettings* settings, EngineQueries* engine, QWidget* parent)
    : QWidget(parent),
      settings_(settings),
      engine_(engine),
      library_(new LibraryModel(this)),
      preview_(new DataPreviewModel(this)) {
  auto* heading = new QLabel(tr("Datasets"), this);
  heading->setFont(headingFont(font(), 1.3));

  // Left: the list and what can be done to it.
  auto* left = new QWidget(this);
  list_ = new QTableView(left);
  list_->setObjectName(QStringLiteral("datasetList"));
  list_->setModel(library_);
  list_->setSelectionBehavior(QAbstractItemView::SelectRows);
  list_->setSelectionMode(QAbstractItemView::SingleSelection);
  list_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  list_->verticalHeader()->hide();
  list_->setWordWrap(false);
  list_->setTextElideMode(Qt::ElideMiddle);  // the end of a path names the file
  list_->setColumnWidth(LibraryModel::kName, 190);
  list_->setColumnWidth(LibraryModel::kOrigin, 80);
  list_->horizontalHeader()->setStretchLastSection(true);
  auto* add_file = new QPushButton(tr("Add file…"), left);
  auto* add_folder = new QPushButton(tr("Add folder…"), left);
  remove_ = new QPushButton(tr("Remove"), left);
  auto* refresh_button = new QPushButton(tr("Refresh"), left);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(add_file);
  buttons->addWidget(add_folder);
  buttons->addWidget(remove_);
  buttons->addStretch(1);
  buttons->addWidget(refresh_button);
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(0, 0, 0, 0);
  left_layout->addWidget(list_, 1);
  left_layout->addLayout(buttons);

  // Right: what the engine says about the selected entry.
  auto* right = new QWidget(this);
  title_ = new QLabel(tr("Select a dataset, or add a file or folder."), right);
  title_->setFont(headingFont(font(), 1.1));
  title_->setWordWrap(true);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  busy_ = new QProgressBar(right);
  busy_->setRange(0, 0);  // the engine gives no progress for an inspection: a busy bar
  busy_->setMaximumWidth(120);
  busy_->setTextVisible(false);
  busy_->hide();
  state_ = new QLabel(right);
  state_->setObjectName(QStringLiteral("datasetState"));
  auto* state_row = new QHBoxLayout;
  state_row->addWidget(busy_);
  state_row->addWidget(state_, 1);
  error_ = new QLabel(right);
  error_->setObjectName(QStringLiteral("datasetError"));
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->setStyleSheet(QStringLiteral("color: #d0392b;"));
  error_->hide();

  form_ = new QFormLayout;
  form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  const std::pair<const char*, QString> fields[] = {{"format", tr("Format")},   {"fields", tr("Fields used")},
                                                    {"records", tr("Records")}, {"documents", tr("Documents")},
                                                    {"files", tr("Files")},     {"size", tr("Size")},
                                                    {"tokens", tr("Tokens")},   {"labels", tr("Labels")}};
  for (const auto& [id, label] : fields) {
    QLabel* value = valueLabel(right);
    values_.insert(QString::fromLatin1(id), value);
    form_->addRow(label + QLatin1Char(':'), value);
  }

  tokenizer_ = new QLineEdit(right);
  tokenizer_->setObjectName(QStringLiteral("datasetTokenizer"));
  tokenizer_->setPlaceholderText(tr("Tokenizer (.model, tokenizer.json) or model folder, for token counts"));
  tokenizer_->setClearButtonEnabled(true);
  auto* browse = new QPushButton(tr("Browse…"), right);
  count_tokens_ = new QPushButton(tr("Count tokens"), right);
  auto* tokenizer_row = new QHBoxLayout;
  tokenizer_row->addWidget(tokenizer_, 1);
  tokenizer_row->addWidget(browse);
  tokenizer_row->addWidget(count_tokens_);

  auto* preview_heading = new QLabel(tr("First records (fields training reads in bold)"), right);
  preview_view_ = new QTableView(right);
  preview_view_->setObjectName(QStringLiteral("datasetPreview"));
  preview_view_->setModel(preview_);
  preview_view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  preview_view_->setWordWrap(false);
  preview_view_->horizontalHeader()->setDefaultSectionSize(260);
  preview_view_->horizontalHeader()->setStretchLastSection(true);
  preview_view_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  preview_view_->verticalHeader()->setDefaultSectionSize(preview_view_->fontMetrics().height() + 6);

  // The preview shows each value on one line, cut; the selected record is shown whole beneath.
  record_ = new QPlainTextEdit(right);
  record_->setObjectName(QStringLiteral("datasetRecord"));
  record_->setReadOnly(true);
  record_->setPlaceholderText(tr("Select a record above to see it whole."));
  QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  record_->setFont(mono);
  auto* preview_split = new QSplitter(Qt::Vertical, right);
  preview_split->addWidget(preview_view_);
  preview_split->addWidget(record_);
  preview_split->setStretchFactor(0, 1);
  preview_split->setStretchFactor(1, 1);

  new_run_ = new QPushButton(tr("New run with this data…"), right);
  new_run_->setObjectName(QStringLiteral("newRunWithData"));
  auto* actions = new QHBoxLayout;
  actions->addStretch(1);
  actions->addWidget(new_run_);

  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  right_layout->addWidget(title_);
  right_layout->addLayout(state_row);
  right_layout->addWidget(error_);
  right_layout->addLayout(form_);
  right_layout->addLayout(tokenizer_row);
  right_layout->addWidget(preview_heading);
  right_layout->addWidget(preview_split, 1);
  right_layout->addLayout(actions);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(left);
  split->addWidget(right);
  split->setStretchFactor(1, 1);
  split->setSizes({420, 860});
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(heading);
  layout->addWidget(split, 1);

  connect(add_file, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Add a data file"), QString(), tr("Records (*.jsonl *.json *.csv);;Text (*.txt *.md);;All files (*)"));
    if (!file.isEmpty()) addPath(file);
  });
  connect(add_folder, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a data folder"));
    if (!dir.isEmpty()) addPath(dir);
  });
  connect(remove_, &QPushButton::clicked, this, [this] { removePath(selected_); });
  connect(refresh_button, &QPushButton::clicked, this, &DatasetsPage::refresh);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Tokenizer"), QString(),
                                                      tr("Tokenizers (*.model tokenizer.json);;All files (*)"));
    if (!file.isEmpty()) tokenizer_->setText(file);
  });
  connect(count_tokens_, &QPushButton::clicked, this, &DatasetsPage::inspectSelected);
  connect(tokenizer_, &QLineEdit::returnPressed, this, &DatasetsPage::inspectSelected);
  connect(list_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& index) {
    const QString path = index.isValid() ? library_->entryAt(index.row()).path : QString();
    if (path == selected_) return;
    selected_ = path;
    inspectSelected();
  });
  connect(preview_view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& index) {
            if (!has_inspection_ || !index.isValid() || index.row() >= inspection_.preview.size()) {
              record_->clear();
              return;
            }
            record_->setPlainText(recordText(inspection_.preview[index.row()]));
          });
  connect(new_run_, &QPushButton::clicked, this, [this] {
    QJsonObject seed{{QStringLiteral("data"), selected_}};
    if (!tokenizer_->text().trimmed().isEmpty()) seed.insert(QStringLiteral("tokenizer"), tokenizer_->text().trimmed());
    const int row = library_->rowOfPath(selected_);
    const QString name = row >= 0 ? library_->entryAt(row).name : QFileInfo(selected_).fileName();
    Q_EMIT newRunRequested(seed, tr("From dataset %1").arg(name));
  });
  updateActions();
}

DatasetsPage::~DatasetsPage() = default;

void DatasetsPage::setWorkspace(const QString& workspace) {
  if (workspace == workspace_) return;
  workspace_ = workspace;
  selected_.clear();
  refresh();
}

void DatasetsPage::refresh() {
  QVector<LibraryEntry> entries;
  for (const QString& path : addedPaths(settings_, workspace_, kList)) {
    const QFileInfo info(path);
    LibraryEntry e;
    e.name = info.fileName();
    e.path = path;
    e.origin = LibraryEntry::Origin::Added;
    e.detail = info.exists() ? QString() : tr("missing: the file or folder is gone");
    entries.push_back(e);
  }
  // Prepared datasets: the engine's cache of tokenised data, one folder per source and tokenizer.
  const QDir prepared(QDir(workspace_).filePath(QStringLiteral("datasets")));
  for (const QFileInfo& dir : prepared.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time)) {
    QFile meta_file(QDir(dir.filePath()).filePath(QStringLiteral("meta.json")));
    if (!meta_file.open(QIODevice::ReadOnly)) continue;
    const QJsonObject meta = QJsonDocument::fromJson(meta_file.readAll()).object();
    LibraryEntry e;
    e.name = tr("prepared %1").arg(dir.fileName().left(8));
    e.path = dir.absoluteFilePath();
    e.origin = LibraryEntry::Origin::Workspace;
    const QLocale locale;
    e.detail = tr("%1 train tokens, %2 validation tokens; tokenizer %3")
                   .arg(locale.toString(meta.value(QStringLiteral("train_tokens")).toInteger()),
                        locale.toString(meta.value(QStringLiteral("val_tokens")).toInteger()),
                        meta.value(QStringLiteral("tokenizer_path")).toString());
    entries.push_back(e);
  }
  const QString keep = selected_;
  library_->setEntries(entries);
  if (!reselectPath(*library_, *list_, keep) && !keep.isEmpty()) {
    selected_.clear();
    inspectSelected();
  }
  updateActions();
}

void DatasetsPage::addPath(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  if (addToAddedPaths(settings_, workspace_, kList, absolute)) refresh();
  select(absolute);
}

void DatasetsPage::removePath(const QString& path) {
  if (removeFromAddedPaths(settings_, workspace_, kList, path)) refresh();
}

bool DatasetsPage::select(const QString& path) {
  const int row = library_->rowOfPath(path);
  if (row < 0) return false;
  if (selected_ == path) {
    inspectSelected();  // selecting again asks again (the file may have changed)
  } else {
    list_->selectRow(row);  // currentRowChanged inspects
  }
  return true;
}

void DatasetsPage::inspectSelected() {
  delete inspect_request_;  // the person moved on: the earlier inspection's child is killed
  has_inspection_ = false;
  last_error_.clear();
  preview_->clear();
  record_->clear();
  error_->hide();
  for (QLabel* value : std::as_const(values_)) value->setText(QStringLiteral("—"));
  if (selected_.isEmpty()) {
    inspecting_ = false;
    title_->setText(tr("Select a dataset, or add a file or folder."));
    state_->clear();
    busy_->hide();
    updateActions();
    return;
  }
  title_->setText(QDir::toNativeSeparators(selected_));
  inspecting_ = true;
  state_->setText(tr("Inspecting… (temper data inspect)"));
  busy_->show();
  updateActions();
  const QString tokenizer = tokenizer_->text().trimmed();
  auto* request = new QObject(this);
  inspect_request_ = request;
  engine_->inspectData({selected_}, tokenizer, request, [this, request](const EngineReply& reply) {
    inspect_request_.clear();
    request->deleteLater();
    inspecting_ = false;
    if (reply.ok) {
      DataInspection parsed;
      const QString problem = parseDataInspection(reply.json, parsed);
      if (problem.isEmpty()) {
        inspection_ = parsed;
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

void DatasetsPage::showInspection() {
  busy_->hide();
  if (!has_inspection_) {
    state_->setText(tr("The engine could not read this data."));
    error_->setText(last_error_);
    error_->show();
  } else {
    const DataInspection& d = inspection_;
    const QLocale locale;
    state_->setText(tr("Read by the engine (temper data inspect)."));
    setSummary(QStringLiteral("format"), d.format);
    setSummary(QStringLiteral("fields"),
               d.fields.isEmpty() ? tr("— (token ids)") : d.fields.join(QStringLiteral(", ")));
    setSummary(QStringLiteral("records"), locale.toString(d.records));
    setSummary(QStringLiteral("documents"), locale.toString(d.documents));
    setSummary(QStringLiteral("files"),
               d.skipped_files > 0 ? tr("%1 (%2 skipped: binary or not UTF-8)").arg(d.files).arg(d.skipped_files)
                                   : QString::number(d.files));
    setSummary(QStringLiteral("size"), formatBytes(d.bytes));
    setSummary(QStringLiteral("tokens"),
               d.tokens ? locale.toString(*d.tokens) : tr("— (give a tokenizer or model folder below to count them)"));
    QStringList labels;
    for (const auto& [label, count] : d.labels) labels << tr("%1: %2").arg(label, locale.toString(count));
    setSummary(QStringLiteral("labels"),
               labels.isEmpty() ? tr("— (not classification data)") : labels.join(QStringLiteral(", ")));
    preview_->setRecords(d.preview, d.fields);
    if (preview_->rowCount() > 0) preview_view_->selectRow(0);
  }
  updateActions();
  Q_EMIT inspected();
}

void DatasetsPage::setSummary(const QString& field, const QString& value) {
  if (QLabel* label = values_.value(field)) label->setText(value);
}

QString DatasetsPage::summaryValue(const QString& field) const {
  const QLabel* label = values_.value(field);
  return label ? label->text() : QString();
}

void DatasetsPage::updateActions() {
  const int row = library_->rowOfPath(selected_);
  const bool added = row >= 0 && library_->entryAt(row).origin == LibraryEntry::Origin::Added;
  remove_->setEnabled(added);
  remove_->setToolTip(added ? tr("Forget this entry (the files stay)")
                            : tr("Prepared datasets belong to the workspace; only added entries can be removed"));
  count_tokens_->setEnabled(!selected_.isEmpty() && !inspecting_);
  new_run_->setEnabled(has_inspection_ && !inspecting_);
  new_run_->setToolTip(has_inspection_ ? tr("Open the New run wizard with this data chosen")
                                       : tr("The engine must read the data first (select it and wait for the "
                                            "inspection)"));
}

}  // namespace temper::studio
