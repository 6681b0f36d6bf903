#include "ui/pages/models/models_page.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

#include "ui/client/engine_queries.h"
#include "ui/client/formatting.h"
#include "ui/client/run_history_model.h"

namespace temper::studio {

LibraryPage::Setup ModelsPage::setup() {
  Setup s;
  s.list = QStringLiteral("models");
  s.object_prefix = QStringLiteral("model");
  s.heading = tr("Models");
  s.nothing_selected = tr("Select a model, or add a Hugging Face folder.");
  s.inspecting = tr("Inspecting… (temper model inspect)");
  s.unreadable = tr("The engine could not read this model.");
  s.missing = tr("missing: the folder is gone");
  s.added_are_folders = true;
  s.add_folder_title = tr("Add a model folder");
  s.add_folder_tip = tr("A Hugging Face model folder (config.json, safetensors, tokenizer files)");
  s.summary = {{"task", tr("Task")},
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
  s.remove_tip = tr("Forget this folder (its files stay)");
  s.remove_refused_tip = tr("Run models belong to their runs; delete the run on the Runs page");
  s.new_run_text = tr("New run from this model…");
  s.new_run_object = QStringLiteral("newRunFromModel");
  s.new_run_tip = tr("Open the New run wizard with this model as the base");
  s.new_run_waiting_tip = tr("The engine must read the model first (select it and wait for the inspection)");
  s.list_width = 520;
  s.detail_width = 760;
  return s;
}

ModelsPage::ModelsPage(RunHistoryModel* history, QSettings* settings, EngineQueries* engine, QWidget* parent)
    : LibraryPage(setup(), settings, engine, parent), history_(history) {
  QWidget* right = detailPane();
  export_button_ = new QPushButton(tr("Export…"), right);
  export_button_->setObjectName(QStringLiteral("exportModel"));
  QPushButton* new_run = makeNewRunButton();
  open_folder_ = new QPushButton(tr("Open folder"), right);
  auto* actions = new QHBoxLayout;
  actions->addWidget(export_button_);
  actions->addWidget(new_run);
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

  QVBoxLayout* right_layout = detailLayout();
  right_layout->addSpacing(8);
  right_layout->addLayout(actions);
  right_layout->addLayout(export_row);
  right_layout->addStretch(1);

  connect(export_button_, &QPushButton::clicked, this, &ModelsPage::chooseExportFolder);
  connect(open_folder_, &QPushButton::clicked, this,
          [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(selectedPath())); });
  // The runs' models follow the history (a run that finishes, one that is deleted).
  connect(history_, &QAbstractItemModel::modelReset, this, &ModelsPage::refresh);
  connect(history_, &QAbstractItemModel::rowsInserted, this, &ModelsPage::refresh);
  connect(history_, &QAbstractItemModel::rowsRemoved, this, &ModelsPage::refresh);
  updateActions();
}

// A half-done export must not outlive the page silently: its query, a child of the page, kills
// the engine, which writes to DIR.tmp-* and renames at the end, so the target stays as it was.
ModelsPage::~ModelsPage() = default;

QVector<LibraryEntry> ModelsPage::workspaceEntries() const {
  QVector<LibraryEntry> entries;
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
  return entries;
}

void ModelsPage::askEngine(const QString& path, QObject* context, EngineCallback done) {
  engine()->inspectModel(path, context, std::move(done));
}

QString ModelsPage::takeAnswer(const QJsonObject& json) {
  ModelInspection parsed;
  const QString problem = parseModelInspection(json, parsed);
  if (problem.isEmpty()) inspection_ = parsed;
  return problem;
}

void ModelsPage::showAnswer() {
  const ModelInspection& m = inspection_;
  const QLocale locale;
  setStateText(tr("Read by the engine (temper model inspect: headers only)."));
  setSummary(QStringLiteral("task"), m.isClassifier()
                                         ? tr("classifier over %n label(s): %1", nullptr, int(m.labels.size()))
                                               .arg(m.labels.join(QStringLiteral(", ")))
                                         : tr("language model"));
  setSummary(QStringLiteral("family"), m.family);
  setSummary(QStringLiteral("architecture"),
             m.model_type.isEmpty() ? m.architecture : tr("%1 (%2)").arg(m.architecture, m.model_type));
  setSummary(QStringLiteral("parameters"), tr("%1 (%2)").arg(formatCount(m.parameters), locale.toString(m.parameters)));
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

QString ModelsPage::exportMessage() const { return export_state_->text(); }

void ModelsPage::updatePageActions() {
  const LibraryEntry* entry = selectedEntry();
  const bool run_model = entry && entry->origin == LibraryEntry::Origin::Run;
  export_button_->setEnabled(run_model && !export_request_);
  export_button_->setToolTip(
      export_request_ ? tr("An export is running")
      : run_model     ? tr("Copy this run's model as a clean Hugging Face folder (temper export)")
                      : tr("Export copies a run's model out of the workspace; an added folder is already yours"));
  open_folder_->setEnabled(entry && QFileInfo(selectedPath()).isDir());
  open_folder_->setToolTip(entry ? tr("Show the folder in the file manager") : tr("Select a model first"));
}

QJsonObject ModelsPage::newRunSeed() const { return QJsonObject{{QStringLiteral("base"), selectedPath()}}; }

QString ModelsPage::newRunLabel(const QString& name) const { return tr("From model %1").arg(name); }

void ModelsPage::chooseExportFolder() {
  const LibraryEntry* selected = selectedEntry();
  if (!selected || selected->origin != LibraryEntry::Origin::Run) return;
  const LibraryEntry entry = *selected;
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
  engine()->exportRun(run_id, out_dir, request, [this, request](const EngineReply& reply) {
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
