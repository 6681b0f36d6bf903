#pragma once
/// Page 1: what the run starts from — a new model of a preset shape, a Hugging Face folder on disk
/// (inspected by the engine as soon as it is typed or picked), or the model of a previous run.
/// Also where a template or the last used values are chosen as the starting point.
#include <QTimer>

#include "ui/wizard/config_page.h"

class QButtonGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

namespace temper::studio {

class StatusLine;
class TemplateStore;

class BaseModelPage : public ConfigPage {
  Q_OBJECT

 public:
  /// `templates` is not owned.
  BaseModelPage(WizardContext* context, TemplateStore* templates, QWidget* parent = nullptr);

  void initializePage() override;
  bool isComplete() const override;
  void contribute(QJsonObject& config) const override;

  /// Reloads the "Start from" list (after a template was saved or deleted), keeping the selection.
  void refreshTemplates();
  /// Offers `config` (a run being duplicated, or a seed such as `{"data": PATH}`) in the "Start
  /// from" list under `label` ("The run being duplicated" when empty), selects it and applies it.
  void offerDuplicate(const QJsonObject& config, const QString& label = QString());
  /// Re-reads the context's list of previous runs.
  void refreshPreviousRuns();
  /// The line under the current choice that shows the model's inspection (or its error).
  StatusLine* modelStatus() const { return model_status_; }

 protected:
  void applySeed(const QJsonObject& seed) override;

 private:
  void onInfoChanged();
  void onChoiceChanged();
  void onTemplateChosen();
  void inspect(const QString& dir);
  void selectPreset(const QString& name);
  QString currentDir() const;

  TemplateStore* templates_;
  QComboBox* template_combo_;
  StatusLine* engine_status_;
  QButtonGroup* choice_;
  QRadioButton* scratch_radio_;
  QRadioButton* folder_radio_;
  QRadioButton* previous_radio_;
  QComboBox* preset_combo_;
  QLineEdit* dir_edit_;
  QPushButton* browse_button_;
  QComboBox* previous_combo_;
  QLabel* base_reason_;
  StatusLine* folder_status_;
  StatusLine* previous_status_;
  StatusLine* model_status_;  ///< the one of the current choice
  QTimer inspect_timer_;
  QJsonObject duplicate_;
  QString duplicate_label_;
  QString pending_preset_;
  QString inspected_dir_;
  int serial_ = 0;
  bool inspecting_ = false;
  bool applying_ = false;
};

}  // namespace temper::studio
