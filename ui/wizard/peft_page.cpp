#include "ui/wizard/peft_page.h"

#include <QButtonGroup>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QRadioButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QVBoxLayout>

#include "ui/client/formatting.h"
#include "ui/wizard/key_field.h"
#include "ui/wizard/peft_catalog.h"
#include "ui/wizard/peft_kind_settings.h"
#include "ui/wizard/status_line.h"

namespace temper::studio {

namespace {

constexpr int kDryRunDelayMs = 400;  // as the hyperparameters page: estimate once editing pauses

/// "0.12 %", "< 0.01 %", "100 %": a share of the model's parameters.
QString percentText(qint64 part, qint64 whole) {
  if (whole <= 0) return QStringLiteral("?");
  const double percent = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  if (percent > 0 && percent < 0.01) return PeftPage::tr("< 0.01 %");
  const int decimals = percent >= 10 ? 0 : (percent >= 1 ? 1 : 2);
  return PeftPage::tr("%1 %").arg(QLocale().toString(percent, 'f', decimals));
}

}  // namespace

PeftPage::PeftPage(WizardContext* context, QWidget* parent) : ConfigPage(context, parent) {
  setTitle(tr("What is trained"));
  setSubTitle(tr("Every weight, or a small adapter on the frozen model: less memory, and a small file per task."));
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);  // the sentences wrap instead
  auto* inner = new QWidget(scroll);
  auto* layout = new QVBoxLayout(inner);
  rows_ = new QGridLayout();
  rows_->setColumnStretch(1, 1);
  rows_->setHorizontalSpacing(16);
  rows_->setVerticalSpacing(6);
  layout->addLayout(rows_);
  auto* rule = new QFrame(inner);
  rule->setFrameShape(QFrame::HLine);
  rule->setFrameShadow(QFrame::Sunken);
  layout->addSpacing(4);
  layout->addWidget(rule);
  settings_title_ = new QLabel(inner);
  settings_title_->setObjectName(QStringLiteral("settingsTitle"));
  QFont bold = settings_title_->font();
  bold.setBold(true);
  settings_title_->setFont(bold);
  layout->addWidget(settings_title_);
  settings_box_ = new QVBoxLayout();
  layout->addLayout(settings_box_);
  layout->addStretch(1);
  scroll->setWidget(inner);
  outer->addWidget(scroll, 1);
  // Outside the scrolled part: the estimate stays in view whatever the settings' length.
  estimate_ = new StatusLine(this);
  estimate_->setObjectName(QStringLiteral("estimate"));
  outer->addWidget(estimate_);

  group_ = new QButtonGroup(this);
  dry_run_timer_.setSingleShot(true);
  dry_run_timer_.setInterval(kDryRunDelayMs);
  connect(&dry_run_timer_, &QTimer::timeout, this, &PeftPage::runDryRun);
  connect(context_, &WizardContext::infoChanged, this, [this] {
    buildRows();
    if (applies()) refresh();
  });
  buildRows();
}

void PeftPage::buildRows() {
  QStringList names;
  for (const PeftKindInfo& kind : context_->info().peft_kinds) names << kind.name;
  if (names == order_) return;  // the same kinds: keep the rows and the choice
  order_ = names;
  for (QAbstractButton* button : group_->buttons()) group_->removeButton(button);
  while (QLayoutItem* item = rows_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  buttons_.clear();
  reasons_.clear();
  int row = 0;
  for (const PeftKindInfo& kind : context_->info().peft_kinds) {
    const PeftText text = peftText(kind);
    auto* radio = new QRadioButton(text.title);
    radio->setObjectName(kind.name);
    QFont bold = radio->font();
    bold.setBold(true);
    radio->setFont(bold);
    auto* when = new QLabel(text.when);
    when->setWordWrap(true);
    auto* reason = new QLabel();
    reason->setObjectName(kind.name + QStringLiteral("-reason"));
    reason->setWordWrap(true);
    reason->setStyleSheet(QStringLiteral("color: #a04000;"));
    reason->hide();
    auto* words = new QWidget();
    auto* words_layout = new QVBoxLayout(words);
    words_layout->setContentsMargins(0, 0, 0, 0);
    words_layout->setSpacing(0);
    words_layout->addWidget(when);
    words_layout->addWidget(reason);
    rows_->addWidget(radio, row, 0, Qt::AlignTop);
    rows_->addWidget(words, row, 1);
    ++row;
    group_->addButton(radio);
    buttons_.insert(kind.name, radio);
    reasons_.insert(kind.name, reason);
    connect(radio, &QRadioButton::toggled, this, [this, name = kind.name](bool checked) {
      if (!checked) return;
      context_->peft = name;
      showSettingsOf(name);
      settingsChanged();
    });
  }
}

QString PeftPage::disabledReason(const QString& kind) const {
  const PeftKindInfo* info = context_->info().peftKind(kind);
  const MethodInfo* method = context_->info().method(context_->method);
  if (!info || !method) return tr("Waiting for the method.");
  return peftMismatch(*info, *method);
}

void PeftPage::refresh() {
  for (auto it = buttons_.begin(); it != buttons_.end(); ++it) {
    const QString reason = disabledReason(it.key());
    it.value()->setEnabled(reason.isEmpty());
    reasons_[it.key()]->setText(reason);
    reasons_[it.key()]->setVisible(!reason.isEmpty());
  }
  // A choice the method does not take is dropped; then the seed's kind, else the last one chosen,
  // else full training.
  QAbstractButton* checked = group_->checkedButton();
  if (checked && !checked->isEnabled()) {
    group_->setExclusive(false);
    checked->setChecked(false);
    group_->setExclusive(true);
    checked = nullptr;
  }
  if (!checked) {
    for (const QString& kind : {seeded_kind_, context_->peft, kFullTraining}) {
      if (QRadioButton* pick = buttons_.value(kind); pick && pick->isEnabled()) {
        pick->setChecked(true);
        break;
      }
    }
  }
  seeded_kind_.clear();
  if (QAbstractButton* now = group_->checkedButton()) showSettingsOf(now->objectName());
}

QString PeftPage::signature() const {
  return QStringLiteral("%1|%2|%3|%4")
      .arg(context_->method, context_->base_dir)
      .arg(context_->model.parameters)
      .arg(context_->model.modules.size());
}

void PeftPage::showSettingsOf(const QString& kind) {
  if (signature() != built_signature_) {
    // Another method or base: other keys, other modules. Values start again from the defaults.
    qDeleteAll(settings_);
    settings_.clear();
    built_signature_ = signature();
  }
  for (PeftKindSettings* s : std::as_const(settings_)) s->hide();
  const PeftKindInfo* info = context_->info().peftKind(kind);
  const QString title = info ? peftText(*info).title : kind;
  if (kind == kFullTraining) {
    settings_title_->setText(tr("Every weight of the model trains: nothing to set here."));
    return;
  }
  PeftKindSettings* settings = settings_.value(kind);
  if (!settings) {
    settings = new PeftKindSettings(kind, *context_, settings_title_->parentWidget());
    if (seed_values_.value(QStringLiteral("peft")).toString() == kind) {
      settings->setValues(seed_values_);
      seed_values_ = {};
    }
    settings_box_->addWidget(settings);
    settings_.insert(kind, settings);
    connect(settings, &PeftKindSettings::changed, this, &PeftPage::settingsChanged);
  }
  settings->show();
  settings_title_->setText(settings->keys().isEmpty()
                               ? tr("%1: nothing to set; the engine's defaults apply.").arg(title)
                               : tr("%1 settings").arg(title));
}

PeftKindSettings* PeftPage::settings() const {
  const QString kind = context_->peftInUse();
  return built_signature_ == signature() ? settings_.value(kind) : nullptr;
}

void PeftPage::initializePage() {
  applySeedIfNew();
  refresh();
  settingsChanged();
}

void PeftPage::applySeed(const QJsonObject& seed) {
  // A seed without `peft` trained every weight.
  seeded_kind_ = seed.value(QStringLiteral("peft")).toString(kFullTraining);
  seed_values_ = seed;
  built_signature_.clear();  // fresh settings, which take the seed's values
  if (QAbstractButton* checked = group_->checkedButton()) {
    group_->setExclusive(false);
    checked->setChecked(false);
    group_->setExclusive(true);
  }
}

void PeftPage::settingsChanged() {
  Q_EMIT completeChanged();
  if (!applies()) return;
  // The positions a soft prompt or a prefix takes first, which the context page leaves out.
  const KeyField* prompt_tokens = nullptr;
  for (const char* key : {"prompt-tokens", "prefix-tokens"}) {
    if (!prompt_tokens && settings()) prompt_tokens = settings()->field(QLatin1String(key));
  }
  context_->prompt_tokens = prompt_tokens ? prompt_tokens->value().toInteger() : 0;
  if (PeftKindSettings* s = settings(); s && !s->isValid()) {
    dry_run_timer_.stop();
    ++serial_;  // an answer on the earlier values would be about something else
    estimate_->showMessage(tr("The estimate waits for valid values."));
    return;
  }
  estimate_->showBusy(tr("Asking the engine what this trains…"));
  dry_run_timer_.start();
}

void PeftPage::runDryRun() {
  if (!context_->assembleConfig || !applies()) return;
  const int serial = ++serial_;
  context_->engine()->dryRun(context_->assembleConfig(), this, [this, serial](const EngineReply& reply) {
    if (serial != serial_) return;
    MemoryEstimate estimate;
    const QString error = reply.ok ? parseMemoryEstimate(reply.json, estimate) : reply.error;
    PeftKindSettings* s = settings();
    if (s) s->clearEngineErrors();
    refused_ = false;
    if (error.isEmpty()) {
      showEstimate(estimate);
    } else {
      estimate_->showError(tr("The engine refuses this config: %1").arg(error));
      // A refusal of this page's keys is shown at the field and holds Next; one of a later page's
      // keys is that page's to show.
      static const QRegularExpression quoted(QStringLiteral("`([a-z0-9-]+)`"));
      for (auto it = quoted.globalMatch(error); it.hasNext();) {
        const QString key = it.next().captured(1);
        if (key == QLatin1String("peft") || (s && s->showEngineError(key, error))) {
          refused_ = true;
          break;
        }
      }
    }
    Q_EMIT completeChanged();
  });
}

void PeftPage::showEstimate(const MemoryEstimate& m) {
  const QString trains = context_->peftInUse() == kFullTraining
                             ? tr("Trains every weight: %1 parameters.").arg(QLocale().toString(m.trainable_parameters))
                             : tr("Trains %1 parameters, %2 of the model's %3.")
                                   .arg(QLocale().toString(m.trainable_parameters),
                                        percentText(m.trainable_parameters, m.parameters), formatCount(m.parameters));
  const QString memory = tr("Memory on %1: %2 in all — weights %3, gradients %4, optimizer %5, activations %6.")
                             .arg(m.device, formatBytes(m.total), formatBytes(m.weights), formatBytes(m.gradients),
                                  formatBytes(m.optimizer), formatBytes(m.activations));
  estimate_->showMessage(trains + QLatin1Char(' ') + memory);
}

bool PeftPage::isComplete() const {
  const QAbstractButton* checked = group_->checkedButton();
  if (!checked || !checked->isEnabled()) return false;
  if (const PeftKindSettings* s = settings(); s && !s->isValid()) return false;
  return !refused_;
}

void PeftPage::contribute(QJsonObject& config) const {
  if (!applies()) return;
  const QString kind = context_->peftInUse();
  if (kind == kFullTraining) return;  // the engine's default: nothing to write
  if (context_->writesKey(QStringLiteral("peft"))) config[QStringLiteral("peft")] = kind;
  if (const PeftKindSettings* s = settings()) s->contribute(config);
}

}  // namespace temper::studio
