#pragma once
/// The `lora-targets` editor: a preset (attention-qv, attention, all-linear) or custom module
/// names / a regex, "Choose modules…" to tick them in the base's module tree, and a line saying
/// what the value selects in this model. The picker needs `model inspect`'s `modules`: without
/// them (an engine before the list) it is disabled and says why; presets and typing still work.
#include <QSet>
#include <QWidget>

#include "ui/client/engine_replies.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace temper::studio {

class LoraTargetsField : public QWidget {
  Q_OBJECT

 public:
  explicit LoraTargetsField(const TrainKey& key, QWidget* parent = nullptr);

  /// The base model's projections; `listed` false when the engine did not send them.
  void setModules(const QVector<ModuleInfo>& modules, bool listed);
  /// The LoRA rank, for the picker's count of trained parameters.
  void setRank(qint64 rank) { rank_ = rank; }

  /// The `lora-targets` value: a preset's name, or the custom text.
  QString value() const;
  void setValue(const QString& value);
  /// What the module picker's OK does: the chosen modules as the shortest list (or the preset that
  /// selects exactly them).
  void setChosenModules(const QSet<QString>& chosen);

  bool isValid() const;
  QString errorText() const;
  /// The engine's refusal of the targets (from the dry run), shown until the value changes.
  void setEngineError(const QString& text);

  QComboBox* presetBox() const { return presets_; }
  QLineEdit* customEdit() const { return custom_; }
  QPushButton* chooseButton() const { return choose_; }
  QLabel* summaryLabel() const { return summary_; }

 Q_SIGNALS:
  void changed();

 private:
  void openPicker();
  void update();

  QComboBox* presets_;
  QLineEdit* custom_;
  QPushButton* choose_;
  QLabel* summary_;
  QLabel* error_;
  QString engine_error_;
  QVector<ModuleInfo> modules_;
  qint64 rank_ = 8;
};

}  // namespace temper::studio
