#include "ui/wizard/lora_targets_field.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/client/formatting.h"
#include "ui/wizard/lora_targets.h"
#include "ui/wizard/module_picker_dialog.h"

namespace temper::studio {

namespace {

constexpr int kEditorWidth = 200;  // as KeyField's editors, so the form's columns line up

QString presetText(const QString& preset) {
  if (preset == QLatin1String("attention-qv")) return LoraTargetsField::tr("attention-qv (q and v)");
  if (preset == QLatin1String("attention")) return LoraTargetsField::tr("attention (q, k, v, o)");
  if (preset == QLatin1String("all-linear")) return LoraTargetsField::tr("all-linear (attention and MLP)");
  return preset;
}

}  // namespace

LoraTargetsField::LoraTargetsField(const TrainKey& key, QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  auto* row = new QHBoxLayout();
  row->setSpacing(10);
  layout->addLayout(row);
  presets_ = new QComboBox(this);
  presets_->setObjectName(key.key);
  presets_->setToolTip(key.help);
  presets_->setFixedWidth(kEditorWidth);
  for (const QString& preset : loraTargetPresets()) presets_->addItem(presetText(preset), preset);
  presets_->addItem(tr("Custom modules"), QString());
  row->addWidget(presets_);
  choose_ = new QPushButton(tr("Choose modules…"), this);
  choose_->setObjectName(QStringLiteral("chooseModules"));
  choose_->setAutoDefault(false);
  row->addWidget(choose_);
  custom_ = new QLineEdit(this);
  custom_->setObjectName(QStringLiteral("customTargets"));
  custom_->setPlaceholderText(tr("module names (c_attn,attn.c_proj) or a regex"));
  custom_->setToolTip(key.help);
  row->addWidget(custom_, 1);
  row->addStretch();  // takes the room while the custom field is hidden
  summary_ = new QLabel(this);
  summary_->setObjectName(QStringLiteral("targetsSummary"));
  summary_->setWordWrap(true);
  summary_->setEnabled(false);  // the palette's quiet text, as KeyField's help
  layout->addWidget(summary_);
  error_ = new QLabel(this);
  error_->setObjectName(QStringLiteral("error"));
  error_->setStyleSheet(QStringLiteral("color: #c0392b;"));
  error_->setWordWrap(true);
  error_->hide();
  layout->addWidget(error_);

  connect(presets_, &QComboBox::currentIndexChanged, this, [this] {
    engine_error_.clear();
    update();
    Q_EMIT changed();
  });
  connect(custom_, &QLineEdit::textChanged, this, [this] {
    engine_error_.clear();
    update();
    Q_EMIT changed();
  });
  connect(choose_, &QPushButton::clicked, this, &LoraTargetsField::openPicker);
  setModules({}, false);
  setValue(key.default_value.toString());
}

void LoraTargetsField::setModules(const QVector<ModuleInfo>& modules, bool listed) {
  modules_ = modules;
  choose_->setEnabled(listed && !modules.isEmpty());
  choose_->setToolTip(choose_->isEnabled()
                          ? tr("Tick the projections in the model's blocks.")
                          : tr("This engine's `model inspect` does not list the model's modules yet: choose a "
                               "preset, or type module names or a regex."));
  update();
}

QString LoraTargetsField::value() const {
  const QString preset = presets_->currentData().toString();
  return preset.isEmpty() ? custom_->text().trimmed() : preset;
}

void LoraTargetsField::setValue(const QString& value) {
  const int preset = presets_->findData(value.trimmed());
  if (preset >= 0 && !value.trimmed().isEmpty()) {
    presets_->setCurrentIndex(preset);
  } else {
    custom_->setText(value.trimmed());
    presets_->setCurrentIndex(presets_->count() - 1);
  }
  update();
}

void LoraTargetsField::setChosenModules(const QSet<QString>& chosen) {
  // A preset that selects exactly the choice reads better and means the same on every family.
  for (const QString& preset : loraTargetPresets()) {
    if (!chosen.isEmpty() && selectedModules(preset, modules_) == chosen) {
      setValue(preset);
      return;
    }
  }
  setValue(targetListFor(modules_, chosen));
}

bool LoraTargetsField::isValid() const { return errorText().isEmpty(); }

QString LoraTargetsField::errorText() const {
  const QString text = value();
  if (text.isEmpty()) return tr("Name at least one module, or choose a preset.");
  // Only a list that matches nothing here is refused now; the engine judges everything else.
  if (!modules_.isEmpty() && selectedModules(text, modules_).isEmpty()) {
    return tr("\"%1\" selects no module of this model.").arg(text);
  }
  return {};
}

void LoraTargetsField::setEngineError(const QString& text) {
  engine_error_ = text;
  update();
}

void LoraTargetsField::openPicker() {
  ModulePickerDialog picker(modules_, selectedModules(value(), modules_), rank_, this);
  if (picker.exec() == QDialog::Accepted) setChosenModules(picker.chosen());
}

void LoraTargetsField::update() {
  const bool custom = presets_->currentData().toString().isEmpty();
  custom_->setVisible(custom);
  if (modules_.isEmpty()) {
    summary_->clear();
  } else {
    const QSet<QString> selected = selectedModules(value(), modules_);
    qint64 parameters = 0;
    for (const ModuleInfo& m : modules_) {
      if (selected.contains(m.name)) parameters += m.parameters;
    }
    summary_->setText(tr("Adapts %1 of the model's %2 projections (%3 base parameters).")
                          .arg(selected.size())
                          .arg(modules_.size())
                          .arg(formatCount(parameters)));
  }
  summary_->setVisible(!summary_->text().isEmpty());
  const QString shown = isValid() ? engine_error_ : errorText();
  error_->setText(shown);
  error_->setVisible(!shown.isEmpty());
}

}  // namespace temper::studio
