#include "ui/shell/models_page.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

#include "ui/client/engine_queries.h"
#include "ui/client/formatting.h"
#include "ui/client/run_history_model.h"
#include "ui/shell/library_model.h"

namespace temper::studio {
namespace {

const QString kList = QStringLiteral("models");

QFont headingFont(const QFont& base, double scale) {
  QFont font = base;
  font.setPointSizeF(font.pointSizeF() * scale);
  font.setBold(true);
  return font;
}

}  // namespace

ModelsPage::ModelsPage(RunHistoryModel* history, QSettings* settings, EngineQueries* engine, QWidget* parent)
    : QWidget(parent), history_(history), settings_(settings), engine_(engine), library_(new LibraryModel(this)) {
  auto* heading = new QLabel(tr("Models"), this);
  heading->setFont(headingFont(font(), 1.3));

  auto* left = new QWidget(this);
  list_ = new QTableView(left);
  list_->setObjectName(QStringLiteral("modelList"));
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
  auto* add_folder = new QPushButton(tr("Add folder…"), left);
  add_folder->setToolTip(tr("A Hugging Face model folder (config.json, safetensors, tokenizer files)"));
  remove_ = new QPushButton(tr("Remove"), left);
  auto* refresh_button = new QPushButton(tr("Refresh"), left);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(add_folder);
  buttons->addWidget(remove_);
  buttons->addStretch(1);
  buttons->addWidget(refresh_button);
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(0, 0, 0, 0);
  left_layout->addWidget(list_, 1);
  left_layout->addLayout(buttons);

  auto* right = new QWidget(this);
  title_ = new QLabel(tr("Select a model, or add a Hugging Face folder."), right);
  title_->setFont(headingFont(font(), 1.1));
  title_->setWordWrap(true);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  busy_ = new QProgressBar(right);
  busy_->setRange(0, 0);
  busy_->setMaximumWidth(120);
  busy_->setTextVisible(false);
  busy_->hide();
  state_ = new QLabel(right);
  state_->setObjectName(QStringLiteral("modelState"));
  auto* state_row = new QHBoxLayout;
  state_row->addWidget(busy_);
  state_row->addWidget(state_, 1);
  error_ = new QLabel(right);
  error_->setObjectName(QStringLiteral("modelError"));
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->setStyleSheet(QStringLiteral("color: #d0392b;"));
  error_->hide();

  form_ = new QFormLayout;
  form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  const std::pair<const char*, QString> fields[] = {{"task", tr("Task")},
                                                    {"family", tr("Family")},
                                                    {"architecture", tr("Architecture")},
                                                    {"parameters", tr("Parameters")},
                                                    {"dtype", tr("Data type")},
                                                    {"shape", tr("Shape")},
                                                    {"ctx", tr("Context length")},
                                                    {"vocab", tr("Vocabulary")},
                                                    {"tokenizer", tr("Tokenizer")},
                                                    {"chat_template", tr("Chat template")},
                                                    {"files", tr("Weight files")},
                                                    {"size", tr("Size on disk")}};
  for (const auto& [id, label] : fields) {
    auto* value = new QLabel(QStringLiteral("—"), right);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    values_.insert(QString::fromLatin1(id), value);
    form_->addRow(label + QLatin1Char(':'), value);
  }

  export_button_ = new QPushButton(tr("Export…"), right);
  export_button_->setObjectName(QStringLiteral("exportModel"));
  new_run_ = new QPushButton(tr("New run from this model…"), right);
  new_run_->setObjectName(QStringLiteral("newRunFromModel"));
  open_folder_ = new QPushButton(tr("Open folder"), right);
  auto* actions = new QHBoxLayout;
  actions->addWidget(export_button_);
  actions->addWidget(new_run_);
  actions->addWidget(open_folder_);
  actions->addStretch(1);
  export_busy_ = new QProgressBar(right);
  export_busy_->setRange(0, 0);  // `temper export` prints no progress: copying a folder is short
  export_busy_->setMaximumWidth(120);
  export_busy_->setTextVisible(false);
  export_busy_->hide();
  export_state_ = new QLabel(right);
  export_state_->setObjectName(QStringLiteral("exportState"));
  export_state_->setWordWrap(true);
  export_state_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* export_row = new QHBoxLayout;
  export_row->addWidget(export_busy_);
  export_row->addWidget(export_state_, 1);

  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  right_layout->addWidget(title_);
  right_layout->addLayout(state_row);
  right_layout->addWidget(error_);
  right_layout->addLayout(form_);
  right_layout->addSpacing(8);
  right_layout->addLayout(actions);
  right_layout->addLayout(export_row);
  right_layout->addStretch(1);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(left);
  split->addWidget(right);
  split->setStretchFactor(1, 1);
  split->setSizes({520, 760});
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(heading);
  layout->addWidget(split, 1);

  connect(add_folder, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a model folder"));
    if (!dir.isEmpty()) addPath(dir);
  });
  connect(remove_, &QPushButton::clicked, this, [this] { removePath(selected_); });
  connect(refresh_button, &QPushButton::clicked, this, &ModelsPage::refresh);
  connect(list_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& index) {
    const QString path = index.isValid() ? library_->entryAt(index.row()).path : QString();
    if (path == selected_) return;
    selected_ = path;
    inspectSelected();
  });
  connect(export_button_, &QPushButton::clicked, this, &ModelsPage::chooseExportFolder);
  connect(new_run_, &QPushButton::clicked, this, [this] {
    const int row = library_->rowOfPath(selected_);
    const QString name = row >= 0 ? library_->entryAt(row).name : QFileInfo(selected_).fileName();
    Q_EMIT newRunRequested(QJsonObject{{QStringLiteral("base"), selected_}}, tr("From model %1").arg(name));
  });
  connect(open_folder_, &QPushButton::clicked, this,
          [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(selected_)); });
  // The runs' models follow the history (a run that finishes, one that is deleted).
  connect(history_, &QAbstractItemModel::modelReset, this, &ModelsPage::refresh);
  connect(history_, &QAbstractItemModel::rowsInserted, this, &ModelsPage::refresh);
  connect(history_, &QAbstractItemModel::rowsRemoved, this, &ModelsPage::refresh);
  updateActions();
}

// A half-done export must not outlive the page silently: its query, a child of the page, kills
// the engine, which writes to DIR.tmp-* and renames at the end, so the target stays as it was.
ModelsPage::~ModelsPage() = default;

void ModelsPage::setWorkspace(const QString& workspace) {
  if (workspace == workspace_) return;
  workspace_ = workspace;
  selected_.clear();
  refresh();
}

void ModelsPage::refresh() {
  QVector<LibraryEntry> entries;
  for (const QString& path : addedPaths(settings_, workspace_, kList)) {
    LibraryEntry e;
    e.name = QFileInfo(path).fileName();
    e.path = path;
    e.origin = LibraryEntry::Origin::Added;
    e.detail = QFileInfo(path).isDir() ? QString() : tr("missing: the folder is gone");
    entries.push_back(e);
  }
  // Every run that left a model: finished runs write `final/`.
  for (int row = 0; row < history_->rowCount(); ++row) {
    const RunRecord& run = history_->summaryAt(row).run;
    const QString final_dir = QDir(QString::fromStdString(run.run_dir)).filePath(QStringLiteral("final"));
    if (run.status != kRunFinished || !QFileInfo(final_dir).isDir()) continue;
    LibraryEntry e;
    e.name = QString::fromStdString(run.name.empty() ? run.id : run.name);
    e.path = final_dir;
    e.origin = LibraryEntry::Origin::Run;
    e.run_id = QString::fromStdString(run.id);
    e.detail = tr("%1 run %2, base %3")
                   .arg(QString::fromStdString(run.method), e.run_id, QString::fromStdString(run.base_model));
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

void ModelsPage::addPath(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  if (addToAddedPaths(settings_, workspace_, kList, absolute)) refresh();
  select(absolute);
}

void ModelsPage::removePath(const QString& path) {
  if (removeFromAddedPaths(settings_, workspace_, kList, path)) refresh();
}

bool ModelsPage::select(const QString& path) {
  const int row = library_->rowOfPath(path);
  if (row < 0) return false;
  if (selected_ == path) {
    inspectSelected();
  } else {
    list_->selectRow(row);
  }
  return true;
}

void ModelsPage::inspectSelected() {
  delete inspect_request_;  // an answer for an earlier selection no longer matters: its child is killed
  has_inspection_ = false;
  last_error_.clear();
  error_->hide();
  for (QLabel* value : std::as_const(values_)) value->setText(QStringLiteral("—"));
  if (selected_.isEmpty()) {
    inspecting_ = false;
    title_->setText(tr("Select a model, or add a Hugging Face folder."));
    state_->clear();
    busy_->hide();
    updateActions();
    return;
  }
  title_->setText(QDir::toNativeSeparators(selected_));
  inspecting_ = true;
  state_->setText(tr("Inspecting… (temper model inspect)"));
  busy_->show();
  updateActions();
  auto* request = new QObject(this);
  inspect_request_ = request;
  engine_->inspectModel(selected_, request, [this, request](const EngineReply& reply) {
    inspect_request_.clear();
    request->deleteLater();
    inspecting_ = false;
    if (reply.ok) {
      ModelInspection parsed;
      const QString problem = parseModelInspection(reply.json, parsed);
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

void ModelsPage::showInspection() {
  busy_->hide();
  if (!has_inspection_) {
    state_->setText(tr("The engine could not read this model."));
    error_->setText(last_error_);
    error_->show();
  } else {
    const ModelInspection& m = inspection_;
    const QLocale locale;
    state_->setText(tr("Read by the engine (temper model inspect: headers only)."));
    setSummary(QStringLiteral("task"), m.isClassifier()
                                           ? tr("classifier over %n label(s): %1", nullptr, int(m.labels.size()))
                                                 .arg(m.labels.join(QStringLiteral(", ")))
                                           : tr("language model"));
    setSummary(QStringLiteral("family"), m.family);
    setSummary(QStringLiteral("architecture"),
               m.model_type.isEmpty() ? m.architecture : tr("%1 (%2)").arg(m.architecture, m.model_type));
    setSummary(QStringLiteral("parameters"),
               tr("%1 (%2)").arg(formatCount(m.parameters), locale.toString(m.parameters)));
    setSummary(QStringLiteral("dtype"), m.dtype);
    // "layers 12, hidden 768, heads 12": no plural to get wrong for a one-layer model.
    QString shape = tr("layers %1, hidden %2, heads %3").arg(m.layers).arg(m.hidden).arg(m.heads);
    if (m.kv_heads > 0 && m.kv_heads != m.heads) shape += tr(" (%1 key/value heads)").arg(m.kv_heads);
    setSummary(QStringLiteral("shape"), shape);
    setSummary(QStringLiteral("ctx"), tr("%1 tokens").arg(locale.toString(m.ctx)));
    setSummary(QStringLiteral("vocab"), locale.toString(m.vocab));
    setSummary(QStringLiteral("tokenizer"), m.tokenizer);
    setSummary(QStringLiteral("chat_template"), m.chat_template);
    setSummary(QStringLiteral("files"), m.files.join(QStringLiteral(", ")));
    setSummary(QStringLiteral("size"), formatBytes(m.bytes));
  }
  updateActions();
  Q_EMIT inspected();
}

void ModelsPage::setSummary(const QString& field, const QString& value) {
  if (QLabel* label = values_.value(field)) label->setText(value);
}

QString ModelsPage::summaryValue(const QString& field) const {
  const QLabel* label = values_.value(field);
  return label ? label->text() : QString();
}

QString ModelsPage::exportMessage() const { return export_state_->text(); }

void ModelsPage::updateActions() {
  const int row = library_->rowOfPath(selected_);
  const bool has = row >= 0;
  const bool added = has && library_->entryAt(row).origin == LibraryEntry::Origin::Added;
  const bool run_model = has && library_->entryAt(row).origin == LibraryEntry::Origin::Run;
  remove_->setEnabled(added);
  remove_->setToolTip(added ? tr("Forget this folder (its files stay)")
                            : tr("Run models belong to their runs; delete the run on the Runs page"));
  export_button_->setEnabled(run_model && !export_request_);
  export_button_->setToolTip(
      export_request_ ? tr("An export is running")
      : run_model     ? tr("Copy this run's model as a clean Hugging Face folder (temper export)")
                      : tr("Export copies a run's model out of the workspace; an added folder is already yours"));
  new_run_->setEnabled(has_inspection_ && !inspecting_);
  new_run_->setToolTip(has_inspection_ ? tr("Open the New run wizard with this model as the base")
                                       : tr("The engine must read the model first (select it and wait for the "
                                            "inspection)"));
  open_folder_->setEnabled(has && QFileInfo(selected_).isDir());
  open_folder_->setToolTip(has ? tr("Show the folder in the file manager") : tr("Select a model first"));
}

void ModelsPage::chooseExportFolder() {
  const int row = library_->rowOfPath(selected_);
  if (row < 0 || library_->entryAt(row).origin != LibraryEntry::Origin::Run) return;
  const LibraryEntry entry = library_->entryAt(row);
  // The engine refuses a non-empty folder: propose a new one named after the run.
  const QString suggestion = QDir::home().filePath(entry.name.simplified().replace(QLatin1Char(' '), QLatin1Char('-')));
  const QString out = QFileDialog::getSaveFileName(this, tr("Export the model to a new folder"), suggestion);
  if (!out.isEmpty()) startExport(entry.run_id, out);
}

void ModelsPage::startExport(const QString& run_id, const QString& out_dir) {
  if (export_request_) return;
  auto* request = new QObject(this);
  export_request_ = request;
  export_busy_->show();
  export_state_->setText(tr("Exporting %1 to %2…").arg(run_id, QDir::toNativeSeparators(out_dir)));
  updateActions();
  engine_->exportRun(run_id, out_dir, request, [this, request](const EngineReply& reply) {
    export_request_.clear();
    request->deleteLater();
    ExportResult result;
    const QString problem = reply.ok ? parseExportResult(reply.json, result) : reply.error;
    const bool ok = problem.isEmpty();
    const QString message = ok ? tr("Exported to %1: %2 (%3).")
                                     .arg(QDir::toNativeSeparators(result.out), result.files.join(QStringLiteral(", ")),
                                          formatBytes(result.bytes))
                               : tr("Export failed: %1").arg(problem);
    export_busy_->hide();
    export_state_->setText(message);
    export_state_->setStyleSheet(ok ? QString() : QStringLiteral("color: #d0392b;"));
    updateActions();
    Q_EMIT exportFinished(ok, message);
  });
}

}  // namespace temper::studio
