#pragma once
/// Page 3a, "Rewards" (the online methods: grpo, rloo, ppo): what the model is rewarded for. Rule
/// rewards are built in a small table (kind, argument, weight: `reward-rules`), a reward model is a
/// folder (`reward-model`, with `reward-model-weight`), or both, added up. A live preview scores a
/// few answers the person types to prompts of the chosen data: the rules with the engine's own
/// code as they are edited, the reward model by asking the engine (`temper reward`).
/// Shown only when the chosen method takes rewards (FinetuneWizard::nextId).
#include <QTimer>

#include "ui/wizard/config_page.h"

class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace temper::studio {

class RewardPreviewModel;
class RewardRulesModel;
class StatusLine;

class RewardPage : public ConfigPage {
  Q_OBJECT

 public:
  explicit RewardPage(WizardContext* context, QWidget* parent = nullptr);

  void initializePage() override;
  bool isComplete() const override;
  /// `reward-rules` (when there are rules), `reward-model` and `reward-model-weight` (when the
  /// reward model is used).
  void contribute(QJsonObject& config) const override;

  /// Whether the chosen method takes rewards (else the wizard skips this page).
  bool applies() const;

  RewardRulesModel* rulesModel() const { return rules_; }
  RewardPreviewModel* previewModel() const { return preview_; }
  /// Why the rules cannot be used as they stand (the engine's own message), or empty.
  QString rulesError() const { return rules_error_; }
  /// What the page says is wrong: the rules, a field they read that the data lacks, a seed's
  /// rules file that could not be read.
  QString problemText() const;
  /// Uses (or stops using) the reward model in `dir`.
  void setRewardModel(const QString& dir, bool used = true);
  StatusLine* modelStatus() const { return model_status_; }

 protected:
  void applySeed(const QJsonObject& seed) override;

 private:
  void rulesChanged();
  void modelChanged();
  void inspectModel();
  void scheduleModelScores();
  void askModelScores();
  void fillPreviewRows();
  void showKindHint();
  void showProblem();
  void sizePreviewColumns();
  QString dataProblem() const;

  RewardRulesModel* rules_;
  RewardPreviewModel* preview_;
  QTableView* rules_view_;
  QLabel* kind_hint_;
  QLabel* rules_problem_;
  QPushButton* remove_button_;
  QGroupBox* model_box_;
  QComboBox* model_runs_;  ///< earlier reward-model runs (hidden when there are none)
  QLineEdit* model_edit_;
  QDoubleSpinBox* model_weight_;
  StatusLine* model_status_;
  QTableView* preview_view_;
  QLabel* nothing_hint_;
  QTimer inspect_timer_;
  QTimer score_timer_;
  QString rules_error_;
  QString seed_problem_;  ///< why the seed's `reward-rules` could not be read
  QString inspected_dir_;
  bool model_ok_ = false;
  int inspect_serial_ = 0;
  int score_serial_ = 0;
};

}  // namespace temper::studio
