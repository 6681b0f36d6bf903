#include "ui/wizard/hyperparameters_page.h"

#include <QFormLayout>
#include <QLabel>
#include <QRegularExpression>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/client/formatting.h"
#include "ui/wizard/hyperparameter_defaults.h"
#include "ui/wizard/key_field.h"
#include "ui/wizard/method_catalog.h"
#include "ui/wizard/peft_catalog.h"
#include "ui/wizard/status_line.h"

namespace temper::studio {

namespace {

constexpr int kDryRunDelayMs = 400;  // estimate once editing pauses
const QStringList kShapeKeys{QStringLiteral("layers"), QStringLiteral("dim"), QStringLiteral("heads"),
                             QStringLiteral("ctx")};

ModelSize modelSize(const WizardContext& context) {
  ModelSize size;
  size.from_scratch = context.from_scratch;
  if (context.from_scratch) {
    if (const PresetInfo* preset = context.info().preset(context.preset)) size.parameters = preset->parameters;
  } else if (context.model_ok) {
    size.parameters = context.model.parameters;
    // A soft prompt takes the first positions: the engine refuses a ctx that leaves it no room.
    size.ctx = qMax<qint64>(0, context.model.ctx - context.softPromptTokens());
  }
  return size;
}

qint64 presetShape(const PresetInfo& preset, const QString& key) {
  if (key == QLatin1String("layers")) return preset.layers;
  if (key == QLatin1String("dim")) return preset.dim;
  if (key == QLatin1String("heads")) return preset.heads;
  return preset.ctx;
}

/// "OpenBLAS 0.3.21" of the engine's full BLAS description (its build flags and path go to the
/// tooltip).
QString shortBlas(const QString& blas) { return blas.section(QLatin1Char(' '), 0, 1); }

QString deviceText(const EngineInfo& info) {
  QString cuda = info.cuda_available
                     ? HyperparametersPage::tr("CUDA: %1").arg(info.cuda_devices.join(QStringLiteral(", ")))
                     : HyperparametersPage::tr("no CUDA device");
  return HyperparametersPage::tr("This machine: CPU threads: %1 (%2); %3.")
      .arg(info.cpu_threads)
      .arg(info.blas.isEmpty() ? HyperparametersPage::tr("BLAS unknown") : shortBlas(info.blas), cuda);
}

}  // namespace

HyperparametersPage::HyperparametersPage(WizardContext* context, QWidget* parent) : ConfigPage(context, parent) {
  setTitle(tr("Hyperparameters"));
  setSubTitle(
      tr("Defaults chosen for the method and the model's size. An empty field leaves the choice to the engine."));
  auto* layout = new QVBoxLayout(this);
  header_ = new QLabel(this);
  header_->setWordWrap(true);
  layout->addWidget(header_);
  scroll_ = new QScrollArea(this);
  scroll_->setWidgetResizable(true);
  scroll_->setFrameShape(QFrame::NoFrame);
  layout->addWidget(scroll_, 1);
  problems_ = new QLabel(this);
  problems_->setObjectName(QStringLiteral("problems"));
  problems_->setStyleSheet(QStringLiteral("color: #c0392b;"));
  problems_->hide();
  layout->addWidget(problems_);
  device_label_ = new QLabel(this);
  device_label_->setObjectName(QStringLiteral("deviceInfo"));
  device_label_->setWordWrap(true);
  layout->addWidget(device_label_);
  memory_ = new StatusLine(this);
  memory_->setObjectName(QStringLiteral("memory"));
  layout->addWidget(memory_);

  dry_run_timer_.setSingleShot(true);
  dry_run_timer_.setInterval(kDryRunDelayMs);
  connect(&dry_run_timer_, &QTimer::timeout, this, &HyperparametersPage::runDryRun);
}

QString HyperparametersPage::signature() const {
  const ModelSize size = modelSize(*context_);
  return QStringLiteral("%1|%2|%3|%4|%5|%6")
      .arg(context_->method, context_->peftInUse())
      .arg(size.from_scratch)
      .arg(context_->from_scratch ? context_->preset : context_->base_dir)
      .arg(size.parameters)
      .arg(size.ctx);
}

void HyperparametersPage::initializePage() {
  applySeedIfNew();
  // Rebuild only when what the defaults depend on changed: coming back from the review page
  // keeps what was typed.
  if (signature() != built_signature_) rebuild();
  device_label_->setText(deviceText(context_->info()));
  device_label_->setToolTip(context_->info().blas);
  fieldChanged();
}

void HyperparametersPage::applySeed(const QJsonObject& seed) {
  seed_values_ = seed;
  built_signature_.clear();
}

void HyperparametersPage::rebuild() {
  const EngineInfo& info = context_->info();
  const QString method = context_->method;
  const QString peft = context_->peftInUse();
  const ModelSize size = modelSize(*context_);
  const QJsonObject suggested = suggestedValues(method, size, info, peft);
  QJsonObject values = suggested;
  if (method == built_method_) {
    // Same method, another kind or base: a value that differs from the suggestion it started from
    // is the person's (typed, or from a template) and stays; the others follow the new suggestion
    // (a LoRA run's learning rate is not full finetuning's).
    for (auto it = fields_.begin(); it != fields_.end(); ++it) {
      const QJsonValue shown = it.value()->value();
      if (it.value()->isValid() && shown != built_values_.value(it.key())) values[it.key()] = shown;
    }
  }
  built_signature_ = signature();
  built_method_ = method;
  built_values_ = suggested;
  fields_.clear();
  if (seed_values_.value(QStringLiteral("method")).toString() == method) {
    for (auto it = seed_values_.begin(); it != seed_values_.end(); ++it) {
      if (!structuralKeys().contains(it.key())) values[it.key()] = it.value();
    }
    seed_values_ = {};
  }

  const MethodInfo* method_info = info.method(method);
  QString title = method_info ? methodText(*method_info).title : method;
  if (const PeftKindInfo* kind = info.peftKind(peft); kind && peft != kFullTraining) {
    title = tr("%1 with %2").arg(title, peftText(*kind).title);
  }
  if (size.from_scratch) {
    header_->setText(tr("<b>%1</b> of a new model, preset <b>%2</b> (%3 parameters).")
                         .arg(title, context_->preset, formatCount(size.parameters)));
  } else {
    header_->setText(tr("<b>%1</b> of a %2 model with %3 parameters.")
                         .arg(title, context_->model.family, formatCount(size.parameters)));
  }

  auto* content = new QWidget(scroll_);
  auto* content_layout = new QVBoxLayout(content);
  auto* common_form = new QFormLayout();
  common_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  content_layout->addLayout(common_form);
  advanced_toggle_ = new QToolButton(content);
  advanced_toggle_->setObjectName(QStringLiteral("advancedToggle"));
  advanced_toggle_->setText(tr("Advanced"));
  advanced_toggle_->setCheckable(true);
  advanced_toggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  advanced_toggle_->setArrowType(Qt::RightArrow);
  advanced_toggle_->setAutoRaise(true);
  content_layout->addWidget(advanced_toggle_);
  advanced_box_ = new QWidget(content);
  auto* advanced_form = new QFormLayout(advanced_box_);
  advanced_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  advanced_box_->hide();
  content_layout->addWidget(advanced_box_);
  content_layout->addStretch(1);
  connect(advanced_toggle_, &QToolButton::toggled, this, [this](bool shown) {
    advanced_box_->setVisible(shown);
    advanced_toggle_->setArrowType(shown ? Qt::DownArrow : Qt::RightArrow);
  });

  const PresetInfo* preset = size.from_scratch ? info.preset(context_->preset) : nullptr;
  auto add = [&](const TrainKey& key, QFormLayout* form) {
    auto* field = new KeyField(key, info.cuda_available, content);
    field->setValue(values.value(key.key));
    if (preset && kShapeKeys.contains(key.key)) {
      field->setPlaceholder(tr("from the preset: %1").arg(presetShape(*preset, key.key)));
    }
    auto* label = new QLabel(key.key, content);
    label->setToolTip(key.help);
    label->setBuddy(field->editor());
    form->addRow(label, field);
    fields_.insert(key.key, field);
    connect(field, &KeyField::changed, this, &HyperparametersPage::fieldChanged);
  };
  for (const QString& name : commonKeys()) {
    if (const TrainKey* key = info.key(name); key && key->appliesTo(method)) add(*key, common_form);
  }
  for (const TrainKey& key : info.train_keys) {
    if (!key.appliesTo(method) || structuralKeys().contains(key.key) || commonKeys().contains(key.key) ||
        rewardKeys().contains(key.key) || isPeftKey(key))
      continue;
    add(key, advanced_form);
  }
  advanced_toggle_->setVisible(advanced_form->rowCount() > 0);
  scroll_->setWidget(content);  // deletes the previous fields
  refused_ = false;
}

bool HyperparametersPage::advancedShown() const { return advanced_toggle_ && advanced_toggle_->isChecked(); }

void HyperparametersPage::setAdvancedShown(bool shown) {
  if (advanced_toggle_) advanced_toggle_->setChecked(shown);
}

void HyperparametersPage::fieldChanged() {
  int invalid = 0;
  bool invalid_advanced = false;
  for (KeyField* field : std::as_const(fields_)) {
    if (field->isValid()) continue;
    ++invalid;
    if (!commonKeys().contains(field->key().key)) invalid_advanced = true;
  }
  // A bad value hidden under "Advanced" would leave Next disabled for no visible reason.
  if (invalid_advanced) setAdvancedShown(true);
  problems_->setVisible(invalid > 0);
  problems_->setText(tr("Values to fix before going on: %1.").arg(invalid));
  Q_EMIT completeChanged();
  if (invalid == 0) {
    memory_->showBusy(tr("Estimating memory…"));
    dry_run_timer_.start();
  } else {
    dry_run_timer_.stop();
    ++serial_;
    if (invalid > 0) memory_->showMessage(tr("The memory estimate waits for valid values."));
  }
}

void HyperparametersPage::runDryRun() {
  if (!context_->assembleConfig) return;
  const int serial = ++serial_;
  context_->engine()->dryRun(context_->assembleConfig(), this, [this, serial](const EngineReply& reply) {
    if (serial != serial_) return;
    MemoryEstimate m;
    const QString error = reply.ok ? parseMemoryEstimate(reply.json, m) : reply.error;
    for (KeyField* field : std::as_const(fields_)) field->setEngineError({});
    refused_ = !error.isEmpty();
    Q_EMIT completeChanged();
    if (!error.isEmpty()) {
      memory_->showError(tr("The engine refuses this config: %1").arg(error));
      // The engine names keys in backticks ("`warmup-steps` (100) must not exceed `max-steps`"):
      // its words go under the first field it names, where the fix is made.
      static const QRegularExpression quoted(QStringLiteral("`([a-z0-9-]+)`"));
      for (auto it = quoted.globalMatch(error); it.hasNext();) {
        if (KeyField* field = fields_.value(it.next().captured(1))) {
          field->setEngineError(error);
          if (!commonKeys().contains(field->key().key)) setAdvancedShown(true);
          break;
        }
      }
      return;
    }
    QString text = tr("Memory on %1: %2 in all — weights %3, gradients %4, optimizer %5, activations %6. "
                      "%7 parameters, %8 trained.")
                       .arg(m.device, formatBytes(m.total), formatBytes(m.weights), formatBytes(m.gradients),
                            formatBytes(m.optimizer), formatBytes(m.activations), formatCount(m.parameters),
                            formatCount(m.trainable_parameters));
    if (m.frozen_models > 0) {
      text += QLatin1Char(' ') + tr("The total holds %1 of frozen models beside it (the reference, a reward model).")
                                     .arg(formatBytes(m.frozen_models));
    }
    memory_->showMessage(text);
  });
}

bool HyperparametersPage::isComplete() const {
  if (refused_) return false;  // the engine's last word on this config was no
  for (const KeyField* field : fields_) {
    if (!field->isValid()) return false;
  }
  return !fields_.isEmpty() || context_->infoReady();
}

void HyperparametersPage::contribute(QJsonObject& config) const {
  // Fields built for another method would carry keys it refuses: until this page is shown again
  // (and rebuilt), the engine's defaults stand in for them (the "What is trained" page's estimate).
  if (built_method_ != context_->method) return;
  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    const QJsonValue value = it.value()->value();
    if (!value.isNull()) config[it.key()] = value;
  }
}

}  // namespace temper::studio
