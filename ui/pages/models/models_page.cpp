#include "ui/pages/models/models_page.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

#include "ui/client/engine_queries.h"
#include "ui/client/formatting.h"
#include "ui/client/run_history_model.h"
#include "ui/pages/models/model_tree.h"
#include "ui/pages/playground/playground_adapters.h"
#include "ui/pages/run_view/checkpoint_eval.h"

namespace temper::studio {
namespace {

// A settings value of `model inspect` as one short word or list.
QString settingText(const QJsonValue& value) {
  if (value.isBool()) return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
  if (value.isDouble()) return QString::number(value.toDouble());
  if (value.isArray()) {
    QStringList parts;
    for (const QJsonValue& v : value.toArray()) parts << settingText(v);
    return parts.join(QLatin1Char('|'));
  }
  return value.toString();
}

}  // namespace

LibraryPage::Setup ModelsPage::setup() {
  Setup s;
  s.list = QStringLiteral("models");
  s.object_prefix = QStringLiteral("model");
  s.heading = tr("Models");
  s.nothing_selected = tr("Select a model or adapter, or add a Hugging Face folder.");
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
  s.list_width = 740;
  s.detail_width = 540;
  return s;
}

ModelsPage::ModelsPage(RunHistoryModel* history, QSettings* settings, EngineQueries* engine, QWidget* parent)
    : LibraryPage(setup(), settings, engine, parent), history_(history), tree_(new ModelTreeModel(this)) {
  // The tree follows the flat list (which the Playground reads too): rebuilt whenever it is.
  connect(libraryModel(), &QAbstractItemModel::modelReset, this, &ModelsPage::rebuildTree);
  setListModel(tree_);
  QTreeView* view = libraryView();
  view->setRootIsDecorated(true);
  view->setObjectName(QStringLiteral("modelTree"));
  const int widths[] = {160, 125, 125, 115, 90};
  for (int c = 0; c < ModelTreeModel::kSize; ++c) view->setColumnWidth(c, widths[c]);

  QWidget* right = detailPane();
  buildAdapterSummary();
  playground_button_ = new QPushButton(tr("Open in Playground"), right);
  playground_button_->setObjectName(QStringLiteral("openModelInPlayground"));
  evaluate_button_ = new QPushButton(tr("Evaluate…"), right);
  evaluate_button_->setObjectName(QStringLiteral("evaluateModel"));
  QPushButton* new_run = makeNewRunButton();
  export_button_ = new QPushButton(tr("Export…"), right);
  export_button_->setObjectName(QStringLiteral("exportModel"));
  merge_button_ = new QPushButton(tr("Export merged…"), right);
  merge_button_->setObjectName(QStringLiteral("exportMerged"));
  delete_button_ = new QPushButton(tr("Delete adapter…"), right);
  delete_button_->setObjectName(QStringLiteral("deleteAdapter"));
  open_folder_ = new QPushButton(tr("Open folder"), right);
  auto* use_row = new QHBoxLayout;
  use_row->addWidget(playground_button_);
  use_row->addWidget(evaluate_button_);
  use_row->addWidget(new_run);
  use_row->addStretch(1);
  auto* file_row = new QHBoxLayout;
  file_row->addWidget(export_button_);
  file_row->addWidget(merge_button_);
  file_row->addWidget(delete_button_);
  file_row->addWidget(open_folder_);
  file_row->addStretch(1);
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
  evaluation_state_ = new QLabel(right);
  evaluation_state_->setObjectName(QStringLiteral("modelEvaluation"));
  evaluation_state_->setWordWrap(true);
  evaluation_state_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  evaluator_ = new CheckpointEvaluation(this);

  QVBoxLayout* right_layout = detailLayout();
  right_layout->addWidget(adapter_summary_);
  right_layout->addSpacing(8);
  right_layout->addLayout(use_row);
  right_layout->addLayout(file_row);
  right_layout->addWidget(evaluation_state_);
  right_layout->addLayout(export_row);
  right_layout->addStretch(1);

  connect(playground_button_, &QPushButton::clicked, this, [this] {
    if (const ModelRow* row = selectedRow()) Q_EMIT openInPlaygroundRequested(row->path);
  });
  connect(evaluate_button_, &QPushButton::clicked, this, &ModelsPage::chooseEvaluationFile);
  connect(export_button_, &QPushButton::clicked, this, [this] { chooseExportFolder(false); });
  connect(merge_button_, &QPushButton::clicked, this, [this] { chooseExportFolder(true); });
  connect(delete_button_, &QPushButton::clicked, this, &ModelsPage::deleteSelectedAdapter);
  connect(open_folder_, &QPushButton::clicked, this,
          [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(selectedPath())); });
  connect(evaluator_, &CheckpointEvaluation::finished, this, [this](bool ok, const QString& summary) {
    const QString text = evaluation_heading_ + (ok ? summary : tr("failed: %1").arg(summary));
    evaluation_state_->setText(text);
    evaluation_state_->setStyleSheet(ok ? QString() : QStringLiteral("color: #d0392b;"));
    updateActions();
    Q_EMIT evaluationFinished(ok, text);
  });
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

void ModelsPage::rebuildTree() {
  QVector<ModelRow> rows;
  for (const LibraryEntry& entry : libraryModel()->entries()) {
    const int run = entry.run_id.isEmpty() ? -1 : history_->rowOf(entry.run_id);
    rows << modelRowOf(entry, run >= 0 ? &history_->summaryAt(run) : nullptr);
  }
  tree_->setGroups(groupModels(rows));
  libraryView()->expandAll();
}

const ModelRow* ModelsPage::selectedRow() const { return tree_->rowAt(indexOfPath(*tree_, selectedPath())); }

void ModelsPage::askEngine(const QString& path, QObject* context, EngineCallback done) {
  engine()->inspectModel(path, context, std::move(done));
}

QString ModelsPage::takeAnswer(const QJsonObject& json) {
  // An adapter folder: `model inspect` says what it is and what it sits on, not a model's shape.
  if (json.value(QStringLiteral("adapter")).toBool()) {
    if (json.value(QStringLiteral("kind")).toString().isEmpty())
      return tr("`temper model inspect`: the field `kind` is missing");
    adapter_ = json;
    return {};
  }
  ModelInspection parsed;
  const QString problem = parseModelInspection(json, parsed);
  if (problem.isEmpty()) {
    inspection_ = parsed;
    adapter_ = {};
  }
  return problem;
}

void ModelsPage::buildAdapterSummary() {
  adapter_summary_ = new QWidget(detailPane());
  auto* form = new QFormLayout(adapter_summary_);
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  const std::pair<const char*, QString> rows[] = {{"kind", tr("Adapter")},
                                                  {"base", tr("Base model")},
                                                  {"settings", tr("Settings")},
                                                  {"trainable", tr("Trainable parameters")},
                                                  {"size", tr("Size on disk")}};
  for (const auto& [id, label] : rows) {
    auto* value = new QLabel(QStringLiteral("—"), adapter_summary_);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    adapter_values_.insert(QString::fromLatin1(id), value);
    form->addRow(label + QLatin1Char(':'), value);
  }
  adapter_summary_->hide();
}

void ModelsPage::setAdapterValue(const QString& field, const QString& value) {
  if (QLabel* label = adapter_values_.value(field)) label->setText(value);
}

QString ModelsPage::adapterValue(const QString& field) const {
  const QLabel* label = adapter_values_.value(field);
  return label ? label->text() : QString();
}

void ModelsPage::clearAnswer() {
  adapter_ = {};
  for (QLabel* value : std::as_const(adapter_values_)) value->setText(QStringLiteral("—"));
  // An adapter's lines (kind, base, settings) in place of a model's shape.
  const ModelRow* row = selectedRow();
  const bool adapter = row && row->isAdapter();
  setSummaryShown(!adapter);
  adapter_summary_->setVisible(adapter);
}

void ModelsPage::showAnswer() {
  if (!adapter_.isEmpty()) {
    showAdapterAnswer();
    return;
  }
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

void ModelsPage::showAdapterAnswer() {
  const QJsonObject& a = adapter_;
  const QLocale locale;
  setStateText(tr("Read by the engine (temper model inspect: an adapter folder)."));
  setAdapterValue(QStringLiteral("kind"), PlaygroundAdapters::kindLabel(a.value(QStringLiteral("kind")).toString()));
  const QString base = QDir::toNativeSeparators(a.value(QStringLiteral("base")).toString());
  setAdapterValue(QStringLiteral("base"),
                  a.value(QStringLiteral("base_on_disk")).toBool() ? base : tr("%1 (not on this machine)").arg(base));
  QStringList settings;
  const QJsonObject values = a.value(QStringLiteral("settings")).toObject();
  for (auto it = values.begin(); it != values.end(); ++it) settings << tr("%1 %2").arg(it.key(), settingText(*it));
  if (!a.value(QStringLiteral("targets")).isNull() && !a.value(QStringLiteral("targets")).isUndefined())
    settings << tr("targets %1").arg(settingText(a.value(QStringLiteral("targets"))));
  setAdapterValue(QStringLiteral("settings"), settings.join(QStringLiteral(", ")));
  const qint64 trainable = a.value(QStringLiteral("trainable_parameters")).toInteger();
  setAdapterValue(QStringLiteral("trainable"), tr("%1 (%2)").arg(formatCount(trainable), locale.toString(trainable)));
  setAdapterValue(QStringLiteral("size"), formatBytes(a.value(QStringLiteral("bytes")).toInteger()));
}

QString ModelsPage::exportMessage() const { return export_state_->text(); }

QString ModelsPage::evaluationMessage() const { return evaluation_state_->text(); }

QString ModelsPage::deleteRefusal(const ModelRow& row) const {
  if (!row.isAdapter()) return tr("Only an adapter is deleted here; a run's model goes with its run (Runs page)");
  if (row.run_id.isEmpty()) return tr("An added folder is yours: Remove forgets it and its files stay");
  const int at = history_->rowOf(row.run_id);
  if (at < 0) return tr("Run %1 is not in the history").arg(row.run_id);
  const RunRecord& run = history_->summaryAt(at).run;
  if (run.status == kRunRunning) return tr("Run %1 is still training").arg(row.run_id);
  if (folder_in_use_ && folder_in_use_(row.path))
    return tr("The Playground has this adapter on; switch to another there first");
  // As RunHistoryModel::deleteRun: only the folder the run's record names, in a folder named after
  // the run, so a damaged record never makes the studio delete something else.
  const QString run_dir = QString::fromStdString(run.run_dir);
  if (QFileInfo(run_dir).fileName() != row.run_id ||
      QDir::cleanPath(row.path) != QDir::cleanPath(QDir(run_dir).filePath(QStringLiteral("final"))))
    return tr("This folder is not the final model of run %1").arg(row.run_id);
  for (const ModelGroup& group : tree_->groups())
    if (sameFolder(group.model.path, row.path)) return tr("Other adapters use this folder as their base");
  return {};
}

void ModelsPage::updatePageActions() {
  const LibraryEntry* entry = selectedEntry();
  const ModelRow* row = selectedRow();
  const bool run_model = entry && entry->origin == LibraryEntry::Origin::Run;
  const bool adapter = row && row->isAdapter();
  const bool lora = adapter && row->peft == QLatin1String("lora");
  const bool on_disk = row && QFileInfo(row->path).isDir();
  const bool classifier = adapter ? row->classifier : hasInspection() && inspection_.isClassifier();

  playground_button_->setEnabled(on_disk && !classifier);
  playground_button_->setToolTip(!on_disk     ? tr("Select a model or adapter whose folder is on this machine")
                                 : classifier ? tr("A classifier is not a chat model")
                                 : adapter    ? tr("Chat with its base model with this adapter on")
                                              : tr("Chat with this model"));
  evaluate_button_->setEnabled(on_disk && !evaluator_->isRunning());
  evaluate_button_->setToolTip(evaluator_->isRunning() ? tr("An evaluation is running")
                                                       : tr("Score it on a file (temper eval)"));
  export_button_->setEnabled(run_model && !export_request_);
  export_button_->setToolTip(
      export_request_        ? tr("An export is running")
      : adapter && run_model ? tr("Copy this adapter folder out of the workspace (temper export)")
      : run_model            ? tr("Copy this run's model as a clean Hugging Face folder (temper export)")
                  : tr("Export copies a run's model out of the workspace; an added folder is already yours"));
  merge_button_->setEnabled(lora && run_model && !export_request_);
  merge_button_->setToolTip(
      lora ? tr("Fold the LoRA adapter into its base: a plain model folder (temper export --merge)")
           : tr("Only a LoRA run's adapter can be merged into its base"));
  const QString refusal = row ? deleteRefusal(*row) : tr("Select an adapter");
  delete_button_->setEnabled(refusal.isEmpty());
  delete_button_->setToolTip(refusal.isEmpty() ? tr("Delete this adapter's folder; the run stays in the history")
                                               : refusal);
  open_folder_->setEnabled(on_disk);
  open_folder_->setToolTip(on_disk ? tr("Show the folder in the file manager") : tr("Select a model first"));
  if (adapter && newRunButton()) {
    newRunButton()->setEnabled(false);
    newRunButton()->setToolTip(tr("Select its base model to start a new run from it"));
  }
}

QJsonObject ModelsPage::newRunSeed() const { return QJsonObject{{QStringLiteral("base"), selectedPath()}}; }

QString ModelsPage::newRunLabel(const QString& name) const { return tr("From model %1").arg(name); }

void ModelsPage::chooseExportFolder(bool merge) {
  const LibraryEntry* selected = selectedEntry();
  if (!selected || selected->origin != LibraryEntry::Origin::Run) return;
  const LibraryEntry entry = *selected;
  // The engine refuses a non-empty folder: propose a new one named after the run.
  QString name = entry.name.simplified().replace(QLatin1Char(' '), QLatin1Char('-'));
  if (merge) name += QStringLiteral("-merged");
  const QString out = QFileDialog::getSaveFileName(
      this, merge ? tr("Export the merged model to a new folder") : tr("Export the model to a new folder"),
      QDir::home().filePath(name));
  if (!out.isEmpty()) startExport(entry.run_id, out, merge);
}

void ModelsPage::startExport(const QString& run_id, const QString& out_dir, bool merge) {
  if (export_request_) return;
  auto* request = new QObject(this);
  export_request_ = request;
  export_busy_->show();
  export_state_->setStyleSheet(QString());
  export_state_->setText(merge ? tr("Merging %1 into its base, to %2…").arg(run_id, QDir::toNativeSeparators(out_dir))
                               : tr("Exporting %1 to %2…").arg(run_id, QDir::toNativeSeparators(out_dir)));
  updateActions();
  engine()->exportRun(run_id, out_dir, merge, request, [this, request](const EngineReply& reply) {
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

void ModelsPage::chooseEvaluationFile() {
  const ModelRow* row = selectedRow();
  if (!row) return;
  const bool classifier = row->method == QLatin1String("classify") || (hasInspection() && inspection_.isClassifier());
  const QString file =
      QFileDialog::getOpenFileName(this, tr("Evaluate %1 on…").arg(row->name), QString(),
                                   classifier ? tr("Labelled records (*.jsonl *.json *.csv);;All files (*)")
                                              : tr("Text (*.txt *.md);;All files (*)"));
  if (!file.isEmpty()) startEvaluation(file);
}

bool ModelsPage::startEvaluation(const QString& data_file) {
  const ModelRow* row = selectedRow();
  if (!row || !QFileInfo(row->path).isDir()) return false;
  evaluation_heading_ = tr("%1 on %2: ").arg(row->name, QFileInfo(data_file).fileName());
  evaluation_state_->setStyleSheet(QString());
  evaluation_state_->setText(evaluation_heading_ + tr("evaluating…"));
  evaluator_->start(engine(), row->path, data_file);
  updateActions();
  return true;
}

bool ModelsPage::deleteSelectedAdapter() {
  const ModelRow* selected = selectedRow();
  if (!selected || !deleteRefusal(*selected).isEmpty()) return false;
  const ModelRow row = *selected;
  const auto answer = QMessageBox::question(
      this, tr("Delete adapter"),
      tr("Delete “%1” (%2) of run %3, its folder %4? The run stays in the history with its curves and "
         "checkpoints; the base model is not touched. This cannot be undone.")
          .arg(row.name, PlaygroundAdapters::kindLabel(row.peft), row.run_id, QDir::toNativeSeparators(row.path)),
      QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
  if (answer != QMessageBox::Yes) return false;
  const bool removed = QDir(row.path).removeRecursively();
  if (!removed)
    QMessageBox::warning(this, tr("Delete adapter"),
                         tr("The folder %1 could not be deleted completely.").arg(QDir::toNativeSeparators(row.path)));
  refresh();
  return removed;
}

}  // namespace temper::studio
