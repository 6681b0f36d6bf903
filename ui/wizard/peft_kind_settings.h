#pragma once
/// The settings of one PEFT kind on the "What is trained" page, built from the engine's train keys
/// of that kind (`info`): the keys a person decides on first (peft_catalog.h, leadKeys), the rest
/// under "More settings". LoRA's targets get their own editor with the module picker; bottleneck
/// adapters show where the adapter sits in a block; prompt tuning's init text is editable only
/// when the prompt starts from text. Every adapter kind also shows the quantised base (QLoRA:
/// `base-quant`, `base-quant-double`, peft_catalog.h baseQuantKeys) under its own heading, with a
/// line on what the chosen storage costs; double quantisation is editable only with a quantisation.
#include <QJsonObject>
#include <QMap>
#include <QWidget>

#include "ui/wizard/wizard_context.h"

class QFormLayout;
class QLabel;
class QToolButton;

namespace temper::studio {

class AdapterDiagram;
class KeyField;
class LoraTargetsField;

class PeftKindSettings : public QWidget {
  Q_OBJECT

 public:
  /// The keys of `kind` that the engine takes for the context's method; the context's base model
  /// gives the module list and the number of blocks.
  PeftKindSettings(const QString& kind, const WizardContext& context, QWidget* parent = nullptr);

  QString kind() const { return kind_; }
  /// Every key these settings write, in the order shown.
  QStringList keys() const { return keys_; }
  KeyField* field(const QString& key) const { return fields_.value(key); }
  LoraTargetsField* targetsField() const { return targets_; }
  AdapterDiagram* diagram() const { return diagram_; }
  /// The "Quantised base (QLoRA)" heading; null when the engine has no `base-quant` for the method.
  QLabel* baseQuantTitle() const { return quant_title_; }

  bool isValid() const;
  /// Writes the kind's keys that have a value (a field disabled by another is left out).
  void contribute(QJsonObject& config) const;
  /// Takes the values of this kind's keys from a config (a template, a duplicated run).
  void setValues(const QJsonObject& values);
  /// Shows the engine's refusal under the field of `key`; false when these settings have no such key.
  bool showEngineError(const QString& key, const QString& error);
  void clearEngineErrors();
  bool moreShown() const;
  void setMoreShown(bool shown);

 Q_SIGNALS:
  void changed();

 private:
  void addField(const TrainKey& engine_key, QFormLayout* form, const WizardContext& context);
  void connectKindRules(const WizardContext& context);

  QString kind_;
  QStringList keys_;
  QMap<QString, KeyField*> fields_;
  LoraTargetsField* targets_ = nullptr;
  AdapterDiagram* diagram_ = nullptr;
  QLabel* quant_title_ = nullptr;
  QList<QLabel*> labels_;  ///< the forms' labels, one width
  QToolButton* more_toggle_ = nullptr;
  QWidget* more_box_ = nullptr;
};

}  // namespace temper::studio
