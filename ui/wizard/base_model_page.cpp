#include "ui/wizard/base_model_page.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

#include "ui/client/formatting.h"
#include "ui/wizard/status_line.h"
#include "ui/wizard/template_store.h"

namespace temper::studio {

namespace {

enum Choice { kScratch = 0, kFolder = 1, kPrevious = 2 };
constexpr int kBaseInspectDelayMs = 300;  // inspect once typing pauses, not at every key

QString modelSummary(const ModelInspection& m) {
  return BaseModelPage::tr(
             "%1 (%2) · %3 parameters · %4 · %5 layers, %6 wide, context %7 · tokenizer: %8 · chat template: %9")
      .arg(m.family, m.architecture, formatCount(m.parameters), m.dtype)
      .arg(m.layers)
      .arg(m.hidden)
      .arg(m.ctx)
      .arg(m.tokenizer, m.chat_template);
}

/// A status line indented under an option, so that it reads as that option's.
StatusLine* addStatus(QVBoxLayout* layout, const QString& name) {
  auto* row = new QHBoxLayout();
  row->setContentsMargins(24, 0, 0, 8);
  auto* status = new StatusLine(layout->parentWidget());
  status->setObjectName(name);
  row->addWidget(status);
  layout->addLayout(row);
  return status;
}

}  // namespace

BaseModelPage::BaseModelPage(WizardContext* context, TemplateStore* templates, QWidget* parent)
    : ConfigPage(context, parent), templates_(templates) {
  setTitle(tr("Base model"));
  setSubTitle(tr("Start a new model from scratch, or finetune one you already have."));

  auto* layout = new QVBoxLayout(this);
  auto* start_row = new QHBoxLayout();
  start_row->addWidget(new QLabel(tr("Start from:"), this));
  template_combo_ = new QComboBox(this);
  template_combo_->setObjectName(QStringLiteral("template"));
  template_combo_->setToolTip(tr("Fill every page from a saved template or the values of your last run."));
  start_row->addWidget(template_combo_, 1);
  layout->addLayout(start_row);
  engine_status_ = new StatusLine(this);
  engine_status_->setObjectName(QStringLiteral("engineStatus"));
  layout->addWidget(engine_status_);

  choice_ = new QButtonGroup(this);
  scratch_radio_ = new QRadioButton(tr("Pretrain a new model from scratch"), this);
  scratch_radio_->setObjectName(QStringLiteral("scratch"));
  folder_radio_ = new QRadioButton(tr("A Hugging Face model folder on disk"), this);
  folder_radio_->setObjectName(QStringLiteral("folder"));
  previous_radio_ = new QRadioButton(tr("The model of a previous run"), this);
  previous_radio_->setObjectName(QStringLiteral("previous"));
  choice_->addButton(scratch_radio_, kScratch);
  choice_->addButton(folder_radio_, kFolder);
  choice_->addButton(previous_radio_, kPrevious);

  layout->addWidget(scratch_radio_);
  preset_combo_ = new QComboBox(this);
  preset_combo_->setObjectName(QStringLiteral("preset"));
  auto* preset_form = new QFormLayout();
  preset_form->setContentsMargins(24, 0, 0, 8);
  preset_form->addRow(tr("Shape:"), preset_combo_);
  layout->addLayout(preset_form);

  layout->addWidget(folder_radio_);
  auto* dir_row = new QHBoxLayout();
  dir_row->setContentsMargins(24, 0, 0, 0);
  dir_edit_ = new QLineEdit(this);
  dir_edit_->setObjectName(QStringLiteral("modelDir"));
  dir_edit_->setPlaceholderText(tr("A folder with config.json, *.safetensors and tokenizer files"));
  browse_button_ = new QPushButton(tr("Browse…"), this);
  dir_row->addWidget(dir_edit_, 1);
  dir_row->addWidget(browse_button_);
  layout->addLayout(dir_row);
  folder_status_ = addStatus(layout, QStringLiteral("folderStatus"));

  layout->addWidget(previous_radio_);
  previous_combo_ = new QComboBox(this);
  previous_combo_->setObjectName(QStringLiteral("previousRun"));
  auto* previous_form = new QFormLayout();
  previous_form->setContentsMargins(24, 0, 0, 0);
  previous_form->addRow(tr("Run:"), previous_combo_);
  layout->addLayout(previous_form);
  previous_status_ = addStatus(layout, QStringLiteral("previousStatus"));
  model_status_ = folder_status_;

  base_reason_ = new QLabel(this);
  base_reason_->setObjectName(QStringLiteral("baseReason"));
  base_reason_->setWordWrap(true);
  base_reason_->setStyleSheet(QStringLiteral("color: palette(mid);"));
  base_reason_->hide();
  layout->addWidget(base_reason_);
  layout->addStretch(1);

  inspect_timer_.setSingleShot(true);
  inspect_timer_.setInterval(kBaseInspectDelayMs);
  connect(&inspect_timer_, &QTimer::timeout, this, [this] { inspect(currentDir()); });
  connect(choice_, &QButtonGroup::idToggled, this, [this](int, bool checked) {
    if (checked) onChoiceChanged();
  });
  connect(preset_combo_, &QComboBox::currentIndexChanged, this, [this] {
    context_->preset = preset_combo_->currentData().toString();
    Q_EMIT completeChanged();
  });
  connect(dir_edit_, &QLineEdit::textChanged, this, [this] {
    if (!folder_radio_->isChecked()) return;
    context_->model_ok = false;
    inspect_timer_.start();
    Q_EMIT completeChanged();
  });
  connect(previous_combo_, &QComboBox::currentIndexChanged, this, [this] {
    if (previous_radio_->isChecked()) inspect(currentDir());
  });
  connect(browse_button_, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Hugging Face model folder"), dir_edit_->text());
    if (!dir.isEmpty()) {
      folder_radio_->setChecked(true);
      dir_edit_->setText(dir);
    }
  });
  connect(template_combo_, &QComboBox::activated, this, [this] { onTemplateChosen(); });
  connect(context_, &WizardContext::infoChanged, this, &BaseModelPage::onInfoChanged);

  scratch_radio_->setChecked(true);
  refreshTemplates();
  refreshPreviousRuns();
  onInfoChanged();
}

void BaseModelPage::initializePage() { applySeedIfNew(); }

bool BaseModelPage::isComplete() const {
  if (!context_->infoReady()) return false;
  if (scratch_radio_->isChecked()) return !context_->preset.isEmpty();
  return context_->model_ok && !inspecting_ && !inspect_timer_.isActive();
}

void BaseModelPage::contribute(QJsonObject& config) const {
  if (context_->from_scratch) {
    if (context_->writesKey(QStringLiteral("preset")) && !context_->preset.isEmpty()) {
      config[QStringLiteral("preset")] = context_->preset;
    }
  } else if (context_->writesKey(QStringLiteral("base"))) {
    config[QStringLiteral("base")] = context_->base_dir;
  }
}

void BaseModelPage::refreshTemplates() {
  const QString current = template_combo_->currentText();
  QSignalBlocker block(template_combo_);
  template_combo_->clear();
  template_combo_->addItem(tr("Defaults"), QJsonObject());
  if (!duplicate_.isEmpty()) {
    template_combo_->addItem(duplicate_label_.isEmpty() ? tr("The run being duplicated") : duplicate_label_,
                             duplicate_);
  }
  const QJsonObject last = templates_->lastUsed();
  if (!last.isEmpty()) template_combo_->addItem(tr("Last used values"), last);
  for (const QString& name : templates_->names()) {
    template_combo_->addItem(tr("Template: %1").arg(name), templates_->load(name));
  }
  // At first the last used values are shown as chosen: the wizard starts from them.
  int index = template_combo_->findText(current.isEmpty() ? tr("Last used values") : current);
  template_combo_->setCurrentIndex(index >= 0 ? index : 0);
}

void BaseModelPage::offerDuplicate(const QJsonObject& config, const QString& label) {
  duplicate_ = config;
  duplicate_label_ = label;
  refreshTemplates();
  template_combo_->setCurrentIndex(1);
  onTemplateChosen();
}

void BaseModelPage::refreshPreviousRuns() {
  QSignalBlocker block(previous_combo_);
  previous_combo_->clear();
  for (const PreviousRunModel& run : context_->previous_runs) {
    previous_combo_->addItem(tr("%1 (%2)").arg(run.name, run.run_id), run.model_dir);
  }
  previous_radio_->setEnabled(!context_->previous_runs.isEmpty() &&
                              context_->keyAppliesToStart(QStringLiteral("base"), false));
  // With a placeholder text a combo box starts at no item, even when it has some.
  previous_combo_->setPlaceholderText(context_->previous_runs.isEmpty() ? tr("No finished runs yet") : QString());
  if (!context_->previous_runs.isEmpty()) previous_combo_->setCurrentIndex(0);
  if (previous_radio_->isChecked()) inspect(currentDir());
}

void BaseModelPage::onTemplateChosen() {
  context_->setSeed(template_combo_->currentData().toJsonObject());
  applySeedIfNew();
}

void BaseModelPage::applySeed(const QJsonObject& seed) {
  const QString preset = seed.value(QStringLiteral("preset")).toString();
  const QString base = seed.value(QStringLiteral("base")).toString();
  if (!base.isEmpty()) {
    for (int i = 0; i < context_->previous_runs.size(); ++i) {
      if (context_->previous_runs[i].model_dir == base) {
        previous_combo_->setCurrentIndex(i);
        previous_radio_->setChecked(true);
        inspect(base);
        return;
      }
    }
    dir_edit_->setText(base);
    folder_radio_->setChecked(true);
    inspect(base);
    return;
  }
  // A seed that names a method which needs a base but not the base (the Label page's "Train with
  // DPO", a reward model's "Train a policy"): a finetuned model of an earlier run is the usual
  // start, else a folder to choose; never "from scratch", which that method cannot do.
  const MethodInfo* method = context_->info().method(seed.value(QStringLiteral("method")).toString());
  if (preset.isEmpty() && method && method->needs_base) {
    int newest = -1;
    for (int i = 0; i < context_->previous_runs.size() && newest < 0; ++i) {
      if (context_->previous_runs[i].isLanguageModel()) newest = i;
    }
    if (newest >= 0) {
      previous_combo_->setCurrentIndex(newest);
      previous_radio_->setChecked(true);
      inspect(context_->previous_runs[newest].model_dir);
    } else {
      dir_edit_->clear();
      folder_radio_->setChecked(true);
    }
    return;
  }
  scratch_radio_->setChecked(true);
  pending_preset_ = preset;
  if (!preset.isEmpty()) selectPreset(preset);
}

void BaseModelPage::selectPreset(const QString& name) {
  const int index = preset_combo_->findData(name);
  if (index >= 0) {
    preset_combo_->setCurrentIndex(index);
    pending_preset_.clear();
  }
}

void BaseModelPage::onInfoChanged() {
  if (!context_->infoReady()) {
    if (context_->infoError().isEmpty()) {
      engine_status_->showBusy(tr("Asking the engine what it can do…"));
    } else {
      engine_status_->showError(context_->infoError());
    }
    Q_EMIT completeChanged();
    return;
  }
  engine_status_->clear();
  const EngineInfo& info = context_->info();
  {
    QSignalBlocker block(preset_combo_);
    preset_combo_->clear();
    for (const PresetInfo& p : info.presets) {
      preset_combo_->addItem(tr("%1 — %2 layers, %3 wide, %4 heads, context %5 — %6 parameters")
                                 .arg(p.name)
                                 .arg(p.layers)
                                 .arg(p.dim)
                                 .arg(p.heads)
                                 .arg(p.ctx)
                                 .arg(formatCount(p.parameters)),
                             p.name);
    }
  }
  if (!pending_preset_.isEmpty()) selectPreset(pending_preset_);
  context_->preset = preset_combo_->currentData().toString();
  // A base model is written as the `base` key: an engine without it cannot finetune yet.
  const bool has_base = context_->keyAppliesToStart(QStringLiteral("base"), false);
  folder_radio_->setEnabled(has_base);
  previous_radio_->setEnabled(has_base && !context_->previous_runs.isEmpty());
  base_reason_->setVisible(!has_base);
  base_reason_->setText(tr("This engine cannot start from a base model yet (its train config has no `base` key)."));
  if (!has_base && !scratch_radio_->isChecked()) scratch_radio_->setChecked(true);
  Q_EMIT completeChanged();
}

void BaseModelPage::onChoiceChanged() {
  const int id = choice_->checkedId();
  context_->from_scratch = id == kScratch;
  preset_combo_->setEnabled(id == kScratch);
  dir_edit_->setEnabled(id == kFolder);
  browse_button_->setEnabled(id == kFolder);
  previous_combo_->setEnabled(id == kPrevious);
  context_->model_ok = false;
  ++serial_;  // an inspection of the other choice's folder no longer matters
  inspecting_ = false;
  inspect_timer_.stop();
  folder_status_->clear();
  previous_status_->clear();
  // The inspection is shown under the choice it belongs to.
  model_status_ = id == kPrevious ? previous_status_ : folder_status_;
  if (id != kScratch && !currentDir().isEmpty()) inspect(currentDir());
  Q_EMIT completeChanged();
}

QString BaseModelPage::currentDir() const {
  if (folder_radio_->isChecked()) return dir_edit_->text().trimmed();
  if (previous_radio_->isChecked()) return previous_combo_->currentData().toString();
  return {};
}

void BaseModelPage::inspect(const QString& dir) {
  inspect_timer_.stop();
  const int serial = ++serial_;
  context_->model_ok = false;
  context_->base_dir = dir;
  if (dir.isEmpty()) {
    inspecting_ = false;
    model_status_->clear();
    Q_EMIT completeChanged();
    return;
  }
  inspecting_ = true;
  model_status_->showBusy(tr("Inspecting %1…").arg(dir));
  Q_EMIT completeChanged();
  context_->engine()->inspectModel(dir, this, [this, serial](const EngineReply& reply) {
    if (serial != serial_) return;  // the user has moved on to another folder
    inspecting_ = false;
    ModelInspection model;
    const QString error = reply.ok ? parseModelInspection(reply.json, model) : reply.error;
    if (error.isEmpty()) {
      context_->model = model;
      context_->model_ok = true;
      model_status_->showMessage(modelSummary(model));
    } else {
      model_status_->showError(error);
    }
    Q_EMIT completeChanged();
  });
}

}  // namespace temper::studio
