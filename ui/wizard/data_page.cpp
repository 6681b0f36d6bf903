#include "ui/wizard/data_page.h"

#include <QButtonGroup>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QRadioButton>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/client/formatting.h"
#include "ui/wizard/data_preview_model.h"
#include "ui/wizard/status_line.h"

namespace temper::studio {

namespace {

constexpr int kDataInspectDelayMs = 300;
const QString kValFraction = QStringLiteral("val-fraction");
const QString kValData = QStringLiteral("val-data");
const QString kTokenizer = QStringLiteral("tokenizer");

/// A preference set's line: what it holds, what training leaves out and why, how far its
/// labellers agree.
QString preferenceSetText(const DataInspection& d) {
  const QJsonObject set = d.preference_set;
  auto count = [&set](const char* key) { return static_cast<qint64>(set.value(QLatin1String(key)).toDouble()); };
  QString text = DataPage::tr("Preference set <b>%1</b>: %2 pairs, %3 labelled; <b>%4 to train on</b>")
                     .arg(set.value(QStringLiteral("name")).toString().toHtmlEscaped())
                     .arg(count("pairs"))
                     .arg(count("labelled_pairs"))
                     .arg(count("usable"));
  QStringList left_out;
  if (count("unlabelled") > 0) left_out << DataPage::tr("%1 unlabelled or skipped").arg(count("unlabelled"));
  if (count("no_preference") > 0) left_out << DataPage::tr("%1 tie or both bad").arg(count("no_preference"));
  if (count("no_majority") > 0) left_out << DataPage::tr("%1 without a majority").arg(count("no_majority"));
  if (!left_out.isEmpty()) text += QStringLiteral(" (") + left_out.join(QStringLiteral(", ")) + QStringLiteral(")");
  const QJsonValue alpha = set.value(QStringLiteral("krippendorff_alpha"));
  const QJsonValue raw = set.value(QStringLiteral("raw_agreement"));
  if (alpha.isDouble() || raw.isDouble()) {
    text += DataPage::tr(" · %1 labellers, %2 pairs labelled twice or more: agreement %3, Krippendorff's α %4")
                .arg(count("labellers"))
                .arg(count("multiply_labelled_pairs"))
                .arg(raw.isDouble() ? QString::number(raw.toDouble(), 'f', 2) : QStringLiteral("—"))
                .arg(alpha.isDouble() ? QString::number(alpha.toDouble(), 'f', 2) : QStringLiteral("—"));
  } else {
    text += DataPage::tr(" · no pair has two labellers' votes yet (no agreement figure)");
  }
  return text;
}

QString summaryText(const DataInspection& d) {
  const QLocale locale;
  QStringList parts;
  parts << DataPage::tr("Format: <b>%1</b>").arg(d.format);
  parts << DataPage::tr("fields used: <b>%1</b>")
               .arg(d.fields.isEmpty() ? DataPage::tr("(whole text)") : d.fields.join(QStringLiteral(", ")));
  parts << DataPage::tr("%1 records").arg(locale.toString(d.records));
  const bool from_set = !d.preference_set.isEmpty();  // records from the store: no files, no tokens counted
  if (!from_set) {
    parts << DataPage::tr("%1 documents").arg(locale.toString(d.documents));
    parts << (d.tokens ? DataPage::tr("%1 tokens").arg(locale.toString(*d.tokens))
                       : DataPage::tr("tokens: choose a tokenizer to count them"));
    QString files = DataPage::tr("files: %1").arg(d.files);
    if (d.skipped_files > 0) files += DataPage::tr(" (%1 skipped: binary or not UTF-8)").arg(d.skipped_files);
    parts << files;
  }
  parts << formatBytes(d.bytes);
  QString text = parts.join(QStringLiteral(" · "));
  if (from_set) text = preferenceSetText(d) + QStringLiteral("<br>") + text;
  if (!d.labels.isEmpty()) {
    QStringList labels;
    for (const auto& [label, count] : d.labels)
      labels << QStringLiteral("%1: %2").arg(label.toHtmlEscaped()).arg(count);
    text += QStringLiteral("<br>") + DataPage::tr("Labels: %1").arg(labels.join(QStringLiteral(", ")));
  }
  return text;
}

}  // namespace

DataPage::DataPage(WizardContext* context, QWidget* parent) : ConfigPage(context, parent) {
  setTitle(tr("Data"));
  setSubTitle(tr("Files or folders to learn from. The engine detects the format and shows what it will read."));
  auto* layout = new QVBoxLayout(this);

  auto* paths_row = new QHBoxLayout();
  path_list_ = new QListWidget(this);
  path_list_->setObjectName(QStringLiteral("paths"));
  path_list_->setMaximumHeight(96);
  path_list_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  auto* buttons = new QVBoxLayout();
  auto* add_files = new QPushButton(tr("Add files…"), this);
  auto* add_folder = new QPushButton(tr("Add folder…"), this);
  remove_button_ = new QPushButton(tr("Remove"), this);
  // Pairs labelled in the studio train the preference methods straight from the store.
  set_button_ = new QPushButton(tr("Preference set"), this);
  set_button_->setObjectName(QStringLiteral("preferenceSet"));
  set_button_->setMenu(new QMenu(set_button_));
  buttons->addWidget(add_files);
  buttons->addWidget(add_folder);
  buttons->addWidget(set_button_);
  buttons->addWidget(remove_button_);
  buttons->addStretch(1);
  paths_row->addWidget(path_list_, 1);
  paths_row->addLayout(buttons);
  layout->addLayout(paths_row);
  data_hint_ = new QLabel(this);
  data_hint_->setObjectName(QStringLiteral("dataHint"));
  data_hint_->setWordWrap(true);
  data_hint_->setEnabled(false);  // quiet text: the engine's own words on what `data` may be
  layout->addWidget(data_hint_);

  auto* tokenizer_row = new QHBoxLayout();
  tokenizer_label_ = new QLabel(tr("Tokenizer:"), this);
  tokenizer_edit_ = new QLineEdit(this);
  tokenizer_edit_->setObjectName(QStringLiteral("tokenizer"));
  tokenizer_edit_->setPlaceholderText(tr("A tokenizer.model (temper tokenizer train) to count tokens"));
  tokenizer_browse_ = new QPushButton(tr("Browse…"), this);
  tokenizer_row->addWidget(tokenizer_label_);
  tokenizer_row->addWidget(tokenizer_edit_, 1);
  tokenizer_row->addWidget(tokenizer_browse_);
  layout->addLayout(tokenizer_row);

  data_status_ = new StatusLine(this);
  data_status_->setObjectName(QStringLiteral("dataStatus"));
  layout->addWidget(data_status_);
  summary_ = new QLabel(this);
  summary_->setObjectName(QStringLiteral("summary"));
  summary_->setWordWrap(true);
  summary_->setTextFormat(Qt::RichText);
  layout->addWidget(summary_);

  // The caption and table only show when there are records to show.
  preview_box_ = new QWidget(this);
  auto* preview_layout = new QVBoxLayout(preview_box_);
  preview_layout->setContentsMargins(0, 0, 0, 0);
  auto* preview_caption = new QLabel(tr("First records (the fields used for training in bold):"), preview_box_);
  preview_layout->addWidget(preview_caption);
  preview_ = new DataPreviewModel(this);
  preview_view_ = new QTableView(preview_box_);
  preview_view_->setObjectName(QStringLiteral("preview"));
  preview_view_->setModel(preview_);
  preview_view_->setWordWrap(false);
  preview_view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  preview_view_->horizontalHeader()->setStretchLastSection(true);
  preview_view_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  preview_view_->horizontalHeader()->setDefaultSectionSize(220);
  preview_view_->verticalHeader()->setDefaultSectionSize(22);
  preview_layout->addWidget(preview_view_, 1);
  layout->addWidget(preview_box_, 10);
  layout->addStretch(1);
  preview_box_->hide();

  split_box_ = new QGroupBox(tr("Validation"), this);
  auto* split_layout = new QFormLayout(split_box_);
  split_choice_ = new QButtonGroup(this);
  fraction_radio_ = new QRadioButton(tr("Hold out a fraction of the documents"), split_box_);
  fraction_radio_->setObjectName(QStringLiteral("valFractionChoice"));
  file_radio_ = new QRadioButton(tr("A held-out file"), split_box_);
  file_radio_->setObjectName(QStringLiteral("valFileChoice"));
  split_choice_->addButton(fraction_radio_);
  split_choice_->addButton(file_radio_);
  fraction_spin_ = new QDoubleSpinBox(split_box_);
  fraction_spin_->setObjectName(QStringLiteral("valFraction"));
  fraction_spin_->setDecimals(3);
  fraction_spin_->setSingleStep(0.01);
  fraction_spin_->setRange(0.001, 0.5);
  fraction_spin_->setValue(0.1);
  auto* val_row = new QHBoxLayout();
  val_edit_ = new QLineEdit(split_box_);
  val_edit_->setObjectName(QStringLiteral("valFile"));
  val_browse_ = new QPushButton(tr("Browse…"), split_box_);
  val_row->addWidget(val_edit_, 1);
  val_row->addWidget(val_browse_);
  split_layout->addRow(fraction_radio_, fraction_spin_);
  split_layout->addRow(file_radio_, val_row);
  split_reason_ = new QLabel(split_box_);
  split_reason_->setWordWrap(true);
  split_reason_->setObjectName(QStringLiteral("splitReason"));
  split_layout->addRow(split_reason_);
  layout->addWidget(split_box_);
  fraction_radio_->setChecked(true);

  inspect_timer_.setSingleShot(true);
  inspect_timer_.setInterval(kDataInspectDelayMs);
  connect(&inspect_timer_, &QTimer::timeout, this, &DataPage::inspect);
  connect(add_files, &QPushButton::clicked, this, [this] {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Training data"), {}, tr("Data (*.jsonl *.json *.csv *.txt *.md);;All files (*)"));
    if (!files.isEmpty()) setPaths(context_->data_paths + files);
  });
  connect(add_folder, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Training data folder"));
    if (!dir.isEmpty()) setPaths(context_->data_paths + QStringList{dir});
  });
  connect(remove_button_, &QPushButton::clicked, this, [this] {
    QStringList paths = context_->data_paths;
    for (QListWidgetItem* item : path_list_->selectedItems()) paths.removeAll(item->text());
    setPaths(paths);
  });
  refreshPreferenceSets();
  connect(tokenizer_edit_, &QLineEdit::textChanged, this, [this] { pathsChanged(); });
  connect(tokenizer_browse_, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Tokenizer"), {},
                                                      tr("Tokenizers (*.model tokenizer.json);;All files (*)"));
    if (!file.isEmpty()) tokenizer_edit_->setText(file);
  });
  connect(val_browse_, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Validation data"));
    if (!file.isEmpty()) {
      file_radio_->setChecked(true);
      val_edit_->setText(file);
    }
  });
  connect(split_choice_, &QButtonGroup::buttonToggled, this, [this] {
    updateSplitControls();
    Q_EMIT completeChanged();
  });
  connect(val_edit_, &QLineEdit::textChanged, this, &DataPage::completeChanged);
}

void DataPage::refreshPreferenceSets() {
  QMenu* menu = set_button_->menu();
  menu->clear();
  for (const PreferenceSetChoice& set : std::as_const(context_->preference_sets)) {
    QAction* action =
        menu->addAction(tr("%1 (%2 pairs, %3 labelled)").arg(set.name).arg(set.pairs).arg(set.labelled_pairs));
    action->setObjectName(QStringLiteral("set:") + set.name);
    // One path: a set replaces the files (the engine's `data` is one source).
    connect(action, &QAction::triggered, this, [this, name = set.name] { setPaths({QStringLiteral("set:") + name}); });
  }
  set_button_->setEnabled(!context_->preference_sets.isEmpty());
  set_button_->setToolTip(context_->preference_sets.isEmpty()
                              ? tr("No preference set in this workspace yet: label pairs on the Label page.")
                              : tr("Train on the pairs of a set labelled in the studio."));
}

void DataPage::initializePage() {
  applySeedIfNew();
  if (const TrainKey* data = context_->info().key(QStringLiteral("data"))) data_hint_->setText(data->help);
  const bool scratch = context_->from_scratch;
  tokenizer_label_->setVisible(scratch);
  tokenizer_edit_->setVisible(scratch);
  tokenizer_browse_->setVisible(scratch);
  updateSplitControls();
  // The base model (and so the tokenizer that counts tokens) may have changed since the last visit.
  pathsChanged();
}

void DataPage::setPaths(const QStringList& paths) {
  QStringList unique;
  for (const QString& p : paths) {
    if (!p.trimmed().isEmpty() && !unique.contains(p.trimmed())) unique << p.trimmed();
  }
  context_->data_paths = unique;
  path_list_->clear();
  path_list_->addItems(unique);
  pathsChanged();
}

QString DataPage::tokenizerForCounting() const {
  // A base model's folder is its tokenizer (`data inspect --tokenizer` takes either).
  return context_->from_scratch ? tokenizer_edit_->text().trimmed() : context_->base_dir;
}

void DataPage::pathsChanged() {
  context_->tokenizer = tokenizer_edit_->text().trimmed();
  remove_button_->setEnabled(!context_->data_paths.isEmpty());
  const QString key = context_->data_paths.join(QLatin1Char('\n')) + QLatin1Char('\t') + tokenizerForCounting();
  if (key == inspected_key_ && !context_->data_paths.isEmpty()) return;  // nothing new to ask
  context_->data_ok = false;
  inspect_timer_.start();
  Q_EMIT completeChanged();
}

void DataPage::inspect() {
  inspect_timer_.stop();
  if (context_->data_paths.size() > 1) {
    // The engine's `data` is one path; inspecting several would suggest otherwise.
    ++serial_;
    inspecting_ = false;
    context_->data_ok = false;
    inspected_key_.clear();
    preview_->clear();
    preview_box_->hide();
    summary_->clear();
    data_status_->showError(tr("The engine trains on one file or folder: put the files in one folder."));
    Q_EMIT completeChanged();
    return;
  }
  const int serial = ++serial_;
  context_->data_ok = false;
  inspected_key_ = context_->data_paths.join(QLatin1Char('\n')) + QLatin1Char('\t') + tokenizerForCounting();
  preview_->clear();
  preview_box_->hide();
  summary_->clear();
  if (context_->data_paths.isEmpty()) {
    inspecting_ = false;
    data_status_->showMessage(tr("Add the files or folders to train on."));
    Q_EMIT completeChanged();
    return;
  }
  inspecting_ = true;
  data_status_->showBusy(tr("Reading the data…"));
  Q_EMIT completeChanged();
  context_->engine()->inspectData(
      context_->data_paths, tokenizerForCounting(), this, [this, serial](const EngineReply& reply) {
        if (serial != serial_) return;
        inspecting_ = false;
        DataInspection data;
        const QString error = reply.ok ? parseDataInspection(reply.json, data) : reply.error;
        if (error.isEmpty()) {
          context_->data = data;
          context_->data_ok = true;
          data_status_->clear();
          summary_->setText(summaryText(data));
          preview_->setRecords(data.preview, data.fields);
          preview_box_->setVisible(!data.preview.isEmpty());
        } else {
          context_->data = DataInspection{};  // a file the engine cannot read blocks Next
          data_status_->showError(error);
        }
        Q_EMIT completeChanged();
      });
}

void DataPage::updateSplitControls() {
  // The engine scopes these keys by method; pretraining, for one, splits in `data prepare`.
  const bool has_fraction = context_->keyAppliesToStart(kValFraction, context_->from_scratch);
  const bool has_file = context_->keyAppliesToStart(kValData, context_->from_scratch);
  fraction_radio_->setEnabled(has_fraction);
  file_radio_->setEnabled(has_file);
  if (const TrainKey* key = context_->info().key(kValFraction); key && key->hasRange()) {
    // A fraction of 0 would leave nothing to validate on; the spin box never goes there.
    fraction_spin_->setRange(std::max(key->min, 0.001), std::min(key->max, 0.9));
    if (!fraction_default_applied_ && key->default_value.isDouble())
      fraction_spin_->setValue(key->default_value.toDouble());
    fraction_default_applied_ = true;
  }
  if (!has_fraction && has_file) file_radio_->setChecked(true);
  if (has_fraction && !has_file) fraction_radio_->setChecked(true);
  fraction_spin_->setEnabled(has_fraction && fraction_radio_->isChecked());
  val_edit_->setEnabled(has_file && file_radio_->isChecked());
  val_browse_->setEnabled(has_file && file_radio_->isChecked());
  const bool none = !has_fraction && !has_file;
  split_reason_->setVisible(none);
  split_reason_->setText(
      tr("Validation comes from the prepared dataset here (temper data prepare --val-fraction or --val-input)."));
}

bool DataPage::isComplete() const {
  if (context_->data_paths.size() != 1 || inspecting_ || inspect_timer_.isActive()) return false;
  if (!context_->data_ok) return false;
  if (file_radio_->isChecked() && file_radio_->isEnabled() && val_edit_->text().trimmed().isEmpty()) return false;
  return true;
}

void DataPage::contribute(QJsonObject& config) const {
  if (!context_->data_paths.isEmpty()) config[QStringLiteral("data")] = context_->data_paths.first();
  if (context_->from_scratch && context_->writesKey(kTokenizer) && !context_->tokenizer.isEmpty()) {
    config[kTokenizer] = context_->tokenizer;
  }
  if (fraction_radio_->isChecked() && context_->writesKey(kValFraction)) {
    config[kValFraction] = fraction_spin_->value();
  } else if (file_radio_->isChecked() && context_->writesKey(kValData)) {
    config[kValData] = val_edit_->text().trimmed();
  }
}

void DataPage::applySeed(const QJsonObject& seed) {
  const QJsonValue data = seed.value(QStringLiteral("data"));
  QStringList paths;
  if (data.isArray()) {
    for (const QJsonValue& v : data.toArray()) paths << v.toString();
  } else if (data.isString()) {
    paths << data.toString();
  }
  tokenizer_edit_->setText(seed.value(kTokenizer).toString());
  // A stored run's config carries every key: an empty `val-data` means "the fraction".
  if (!seed.value(kValData).toString().isEmpty()) {
    file_radio_->setChecked(true);
    val_edit_->setText(seed.value(kValData).toString());
  } else if (seed.contains(kValFraction)) {
    fraction_radio_->setChecked(true);
    fraction_spin_->setValue(seed.value(kValFraction).toDouble());
    fraction_default_applied_ = true;
  }
  setPaths(paths);
}

}  // namespace temper::studio
