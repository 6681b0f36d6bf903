#include "ui/wizard/peft_kind_settings.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QRegularExpression>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/wizard/adapter_diagram.h"
#include "ui/wizard/key_field.h"
#include "ui/wizard/lora_targets_field.h"
#include "ui/wizard/peft_catalog.h"

namespace temper::studio {

namespace {

/// `adapter-layers`: "all", or block indices and ranges ("0-3,6") below `blocks` (0: unknown).
QString blockListError(const QString& text, qint64 blocks) {
  if (text == QLatin1String("all")) return {};
  const QString error =
      blocks > 0 ? PeftKindSettings::tr("Expected all, or blocks and ranges such as 0-3,6 (this model has 0 to %1).")
                       .arg(blocks - 1)
                 : PeftKindSettings::tr("Expected all, or blocks and ranges such as 0-3,6.");
  static const QRegularExpression entry(QStringLiteral(R"(^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$)"));
  for (const QString& part : text.split(QLatin1Char(','))) {
    const QRegularExpressionMatch m = entry.match(part);
    if (!m.hasMatch()) return error;
    const qint64 first = m.captured(1).toLongLong();
    const qint64 last = m.captured(2).isEmpty() ? first : m.captured(2).toLongLong();
    if (last < first || (blocks > 0 && last >= blocks)) return error;
  }
  return {};
}

/// The line beside `base-quant`: what the chosen storage costs and keeps; the engine's help for a
/// choice the wizard does not know.
QString baseQuantText(const QString& choice, const QString& engine_help) {
  if (choice == QLatin1String("none"))
    return PeftKindSettings::tr("none: the frozen base keeps its full-precision weights.");
  if (choice == QLatin1String("int8")) {
    return PeftKindSettings::tr(
        "int8: 8-bit base projections, about a quarter of their fp32 bytes; the adapter trains in full precision.");
  }
  if (choice == QLatin1String("nf4")) {
    return PeftKindSettings::tr(
        "nf4: 4-bit NormalFloat base projections, about an eighth of their fp32 bytes (4.1 bits a weight); the adapter "
        "trains in full "
        "precision.");
  }
  return engine_help;
}

}  // namespace

PeftKindSettings::PeftKindSettings(const QString& kind, const WizardContext& context, QWidget* parent)
    : QWidget(parent), kind_(kind) {
  const EngineInfo& info = context.info();
  QStringList lead, rest;
  for (const TrainKey& key : info.train_keys) {
    if (key.peft_kind != kind || !key.appliesTo(context.method)) continue;
    (leadKeys(kind).contains(key.key) ? lead : rest) << key.key;
  }
  std::sort(lead.begin(), lead.end(),
            [&](const QString& a, const QString& b) { return leadKeys(kind).indexOf(a) < leadKeys(kind).indexOf(b); });
  // The quantised base goes with every adapter kind (the engine refuses it with full training).
  QStringList quant;
  if (kind != kFullTraining) {
    for (const QString& name : baseQuantKeys()) {
      if (const TrainKey* key = info.key(name); key && key->appliesTo(context.method)) quant << name;
    }
  }
  keys_ = lead + quant + rest;

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* lead_form = new QFormLayout();
  lead_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  layout->addLayout(lead_form);
  for (const QString& key : std::as_const(lead)) addField(*info.key(key), lead_form, context);
  if (kind == QLatin1String("adapters")) {
    // Where the adapter sits reads faster as a picture than as a key's value.
    diagram_ = new AdapterDiagram(this);
    layout->addWidget(diagram_);
  }
  if (!quant.isEmpty()) {
    quant_title_ = new QLabel(tr("Quantised base (QLoRA)"), this);
    quant_title_->setObjectName(QStringLiteral("baseQuantTitle"));
    QFont bold = quant_title_->font();
    bold.setBold(true);
    quant_title_->setFont(bold);
    quant_title_->setContentsMargins(0, 6, 0, 0);
    layout->addWidget(quant_title_);
    auto* quant_form = new QFormLayout();
    quant_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    layout->addLayout(quant_form);
    for (const QString& key : std::as_const(quant)) addField(*info.key(key), quant_form, context);
  }

  more_toggle_ = new QToolButton(this);
  more_toggle_->setObjectName(QStringLiteral("moreToggle"));
  more_toggle_->setText(tr("More settings"));
  more_toggle_->setCheckable(true);
  more_toggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  more_toggle_->setArrowType(Qt::RightArrow);
  more_toggle_->setAutoRaise(true);
  layout->addWidget(more_toggle_);
  more_box_ = new QWidget(this);
  auto* more_form = new QFormLayout(more_box_);
  more_form->setContentsMargins(0, 0, 0, 0);
  more_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  for (const QString& key : std::as_const(rest)) addField(*info.key(key), more_form, context);
  more_box_->hide();
  more_toggle_->setVisible(!rest.isEmpty());
  layout->addWidget(more_box_);
  layout->addStretch(1);
  connect(more_toggle_, &QToolButton::toggled, this, [this](bool shown) {
    more_box_->setVisible(shown);
    more_toggle_->setArrowType(shown ? Qt::DownArrow : Qt::RightArrow);
  });
  // One label column across the forms (the kind's keys, the quantised base, "More settings").
  int label_width = 0;
  for (QLabel* label : std::as_const(labels_)) label_width = std::max(label_width, label->sizeHint().width());
  for (QLabel* label : std::as_const(labels_)) label->setMinimumWidth(label_width);
  connectKindRules(context);
}

void PeftKindSettings::addField(const TrainKey& engine_key, QFormLayout* form, const WizardContext& context) {
  // The engine's help names the kind ("prompt tuning: virtual tokens…") because `temper train
  // --help` lists every key together; under the kind's own heading that is noise.
  TrainKey key = engine_key;
  if (const PeftKindInfo* kind = context.info().peftKind(kind_)) {
    const QString prefix = kind->title + QStringLiteral(": ");
    if (key.help.startsWith(prefix, Qt::CaseInsensitive)) key.help = key.help.mid(prefix.size());
  }
  static const QString quant_prefix = QStringLiteral("QLoRA: ");  // and the quantised base's, under its heading
  if (baseQuantKeys().contains(key.key) && key.help.startsWith(quant_prefix))
    key.help = key.help.mid(quant_prefix.size());
  auto* label = new QLabel(key.key, this);
  label->setToolTip(key.help);
  labels_ << label;
  if (key.key == QLatin1String("lora-targets")) {
    targets_ = new LoraTargetsField(key, this);
    targets_->setModules(context.model_ok ? context.model.modules : QVector<ModuleInfo>{},
                         context.model_ok && context.model.modules_listed);
    label->setBuddy(targets_->presetBox());
    form->addRow(label, targets_);
    connect(targets_, &LoraTargetsField::changed, this, &PeftKindSettings::changed);
    return;
  }
  auto* field = new KeyField(key, context.info().cuda_available, this);
  label->setBuddy(field->editor());
  form->addRow(label, field);
  fields_.insert(key.key, field);
  connect(field, &KeyField::changed, this, &PeftKindSettings::changed);
}

void PeftKindSettings::connectKindRules(const WizardContext& context) {
  // LoRA: alpha's default follows r (the engine's 2 × r), and the picker counts with r.
  if (KeyField* r = field(QStringLiteral("lora-r"))) {
    auto follow = [this, r] {
      const qint64 rank = r->value().toInteger();
      if (targets_ && rank > 0) targets_->setRank(rank);
      if (KeyField* alpha = field(QStringLiteral("lora-alpha"))) {
        alpha->setPlaceholder(rank > 0 ? tr("default: 2 × r = %1").arg(2 * rank) : tr("default: 2 × r"));
      }
    };
    connect(r, &KeyField::changed, this, follow);
    follow();
  }
  // Prompt tuning: the init text means something only when the prompt starts from text.
  if (KeyField* init = field(QStringLiteral("prompt-init")); init && field(QStringLiteral("prompt-init-text"))) {
    auto follow = [this, init] {
      field(QStringLiteral("prompt-init-text"))->setEnabled(init->value().toString() == QLatin1String("text"));
    };
    connect(init, &KeyField::changed, this, follow);
    follow();
  }
  // Prefix tuning: the MLP's width means something only when the prefixes train through it.
  if (KeyField* projection = field(QStringLiteral("prefix-projection"));
      projection && field(QStringLiteral("prefix-projection-hidden"))) {
    auto follow = [this, projection] {
      field(QStringLiteral("prefix-projection-hidden"))->setEnabled(projection->value().toBool());
    };
    connect(projection, &KeyField::changed, this, follow);
    follow();
  }
  // Bottleneck adapters: the drawing follows the placement; the block list is checked against the model.
  if (KeyField* placement = field(QStringLiteral("adapter-placement")); placement && diagram_) {
    auto follow = [this, placement] { diagram_->setPlacement(placement->value().toString()); };
    connect(placement, &KeyField::changed, this, follow);
    follow();
  } else if (diagram_) {
    diagram_->setPlacement(QStringLiteral("after-ffn"));
  }
  // The quantised base: a line on what the choice stores; double quantisation only with one.
  if (KeyField* quant = field(QStringLiteral("base-quant"))) {
    auto follow = [this, quant] {
      const QString choice = quant->value().toString();
      quant->setHelp(baseQuantText(choice, quant->key().help));
      if (KeyField* twice = field(QStringLiteral("base-quant-double"))) {
        twice->setEnabled(!choice.isEmpty() && choice != QLatin1String("none"));
      }
    };
    connect(quant, &KeyField::changed, this, follow);
    follow();
  }
  if (KeyField* layers = field(QStringLiteral("adapter-layers"))) {
    const qint64 blocks = context.model_ok ? context.model.layers : 0;
    layers->setTextCheck([blocks](const QString& text) { return blockListError(text, blocks); });
  }
}

bool PeftKindSettings::isValid() const {
  if (targets_ && !targets_->isValid()) return false;
  for (const KeyField* f : fields_) {
    if (f->isEnabledTo(this) && !f->isValid()) return false;
  }
  return true;
}

void PeftKindSettings::contribute(QJsonObject& config) const {
  if (targets_) config[QStringLiteral("lora-targets")] = targets_->value();
  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    if (!it.value()->isEnabledTo(this)) continue;  // set aside by another key's value
    const QJsonValue value = it.value()->value();
    // An unquantised base is the engine's default: left out, as a config without QLoRA reads.
    if (it.key() == QLatin1String("base-quant") && value.toString() == QLatin1String("none")) continue;
    if (!value.isNull()) config[it.key()] = value;
  }
}

void PeftKindSettings::setValues(const QJsonObject& values) {
  for (auto it = values.begin(); it != values.end(); ++it) {
    if (it.key() == QLatin1String("lora-targets") && targets_) {
      targets_->setValue(it.value().toString());
    } else if (KeyField* f = field(it.key())) {
      f->setValue(it.value());
      if (!f->isValid() && more_box_->isAncestorOf(f)) setMoreShown(true);
    }
  }
}

bool PeftKindSettings::showEngineError(const QString& key, const QString& error) {
  if (key == QLatin1String("lora-targets") && targets_) {
    targets_->setEngineError(error);
    return true;
  }
  KeyField* f = field(key);
  if (!f) return false;
  f->setEngineError(error);
  if (more_box_->isAncestorOf(f)) setMoreShown(true);  // a refusal must be seen where it is fixed
  return true;
}

void PeftKindSettings::clearEngineErrors() {
  if (targets_) targets_->setEngineError({});
  for (KeyField* f : std::as_const(fields_)) f->setEngineError({});
}

bool PeftKindSettings::moreShown() const { return more_toggle_->isChecked(); }

void PeftKindSettings::setMoreShown(bool shown) { more_toggle_->setChecked(shown); }

}  // namespace temper::studio
