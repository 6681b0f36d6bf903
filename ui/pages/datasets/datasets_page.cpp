#include "ui/pages/datasets/datasets_page.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/client/engine_queries.h"
#include "ui/client/formatting.h"
#include "ui/wizard/data_preview_model.h"

namespace temper::studio {
namespace {

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

}  // namespace

LibraryPage::Setup DatasetsPage::setup() {
  Setup s;
  s.list = QStringLiteral("datasets");
  s.object_prefix = QStringLiteral("dataset");
  s.heading = tr("Datasets");
  s.nothing_selected = tr("Select a dataset, or add a file or folder.");
  s.inspecting = tr("Inspecting… (temper data inspect)");
  s.unreadable = tr("The engine could not read this data.");
  s.missing = tr("missing: the file or folder is gone");
  s.add_file_title = tr("Add a data file");
  s.add_file_filter = tr("Records (*.jsonl *.json *.csv);;Text (*.txt *.md);;All files (*)");
  s.add_folder_title = tr("Add a data folder");
  s.summary = {{"format", tr("Format")},       {"fields", tr("Fields used")}, {"records", tr("Records")},
               {"documents", tr("Documents")}, {"files", tr("Files")},        {"size", tr("Size")},
               {"tokens", tr("Tokens")},       {"labels", tr("Labels")}};
  s.remove_tip = tr("Forget this entry (the files stay)");
  s.remove_refused_tip = tr("Prepared datasets belong to the workspace; only added entries can be removed");
  s.new_run_text = tr("New run with this data…");
  s.new_run_object = QStringLiteral("newRunWithData");
  s.new_run_tip = tr("Open the New run wizard with this data chosen");
  s.new_run_waiting_tip = tr("The engine must read the data first (select it and wait for the inspection)");
  s.list_width = 420;
  s.detail_width = 860;
  return s;
}

DatasetsPage::DatasetsPage(QSettings* settings, EngineQueries* engine, QWidget* parent)
    : LibraryPage(setup(), settings, engine, parent), preview_(new DataPreviewModel(this)) {
  QWidget* right = detailPane();
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

  auto* actions = new QHBoxLayout;
  actions->addStretch(1);
  actions->addWidget(makeNewRunButton());

  QVBoxLayout* right_layout = detailLayout();
  right_layout->addLayout(tokenizer_row);
  right_layout->addWidget(preview_heading);
  right_layout->addWidget(preview_split, 1);
  right_layout->addLayout(actions);

  connect(browse, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Tokenizer"), QString(),
                                                      tr("Tokenizers (*.model tokenizer.json);;All files (*)"));
    if (!file.isEmpty()) tokenizer_->setText(file);
  });
  connect(count_tokens_, &QPushButton::clicked, this, &DatasetsPage::inspectSelected);
  connect(tokenizer_, &QLineEdit::returnPressed, this, &DatasetsPage::inspectSelected);
  connect(preview_view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& index) {
            if (!hasInspection() || !index.isValid() || index.row() >= inspection_.preview.size()) {
              record_->clear();
              return;
            }
            record_->setPlainText(recordText(inspection_.preview[index.row()]));
          });
  updateActions();
}

DatasetsPage::~DatasetsPage() = default;

QVector<LibraryEntry> DatasetsPage::workspaceEntries() const {
  QVector<LibraryEntry> entries;
  // Prepared datasets: the engine's cache of tokenised data, one folder per source and tokenizer.
  const QDir prepared(QDir(workspace()).filePath(QStringLiteral("datasets")));
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
  return entries;
}

void DatasetsPage::askEngine(const QString& path, QObject* context, EngineCallback done) {
  engine()->inspectData({path}, tokenizer_->text().trimmed(), context, std::move(done));
}

QString DatasetsPage::takeAnswer(const QJsonObject& json) {
  DataInspection parsed;
  const QString problem = parseDataInspection(json, parsed);
  if (problem.isEmpty()) inspection_ = parsed;
  return problem;
}

void DatasetsPage::clearAnswer() {
  preview_->clear();
  record_->clear();
}

void DatasetsPage::showAnswer() {
  const DataInspection& d = inspection_;
  const QLocale locale;
  setStateText(tr("Read by the engine (temper data inspect)."));
  setSummary(QStringLiteral("format"), d.format);
  setSummary(QStringLiteral("fields"), d.fields.isEmpty() ? tr("— (token ids)") : d.fields.join(QStringLiteral(", ")));
  setSummary(QStringLiteral("records"), locale.toString(d.records));
  setSummary(QStringLiteral("documents"), locale.toString(d.documents));
  setSummary(QStringLiteral("files"), d.skipped_files > 0
                                          ? tr("%1 (%2 skipped: binary or not UTF-8)").arg(d.files).arg(d.skipped_files)
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

void DatasetsPage::updatePageActions() { count_tokens_->setEnabled(!selectedPath().isEmpty() && !isInspecting()); }

QJsonObject DatasetsPage::newRunSeed() const {
  QJsonObject seed{{QStringLiteral("data"), selectedPath()}};
  if (!tokenizer_->text().trimmed().isEmpty()) seed.insert(QStringLiteral("tokenizer"), tokenizer_->text().trimmed());
  return seed;
}

QString DatasetsPage::newRunLabel(const QString& name) const { return tr("From dataset %1").arg(name); }

}  // namespace temper::studio
