#pragma once
/// Page 3b, "What is trained": every weight, or an adapter on the frozen base (the engine's `peft`
/// key). Each kind the engine lists (`info`'s `peft_kinds`, in its order) is a choice with a
/// sentence on when to use it; one the engine has not built, or the chosen method does not take,
/// is disabled with the reason beside it. The chosen kind's settings follow (PeftKindSettings),
/// and the engine's dry run says, live, how many parameters train and how much memory it needs.
/// Shown only when the method takes a kind besides "none" (FinetuneWizard::nextId).
#include <QMap>
#include <QTimer>

#include "ui/wizard/config_page.h"

class QButtonGroup;
class QGridLayout;
class QLabel;
class QRadioButton;
class QVBoxLayout;

namespace temper::studio {

class PeftKindSettings;
class StatusLine;
struct MemoryEstimate;

class PeftPage : public ConfigPage {
  Q_OBJECT

 public:
  explicit PeftPage(WizardContext* context, QWidget* parent = nullptr);

  void initializePage() override;
  bool isComplete() const override;
  /// `peft` and the chosen kind's keys; nothing for full training or a method without adapters.
  void contribute(QJsonObject& config) const override;

  /// Whether the chosen method takes an adapter kind (else the wizard skips this page).
  bool applies() const { return context_->methodTakesAdapters(); }
  /// Why `kind` is disabled now, or an empty string when it can be chosen.
  QString disabledReason(const QString& kind) const;
  /// The row of `kind`; null before the engine's `info` has arrived.
  QRadioButton* button(const QString& kind) const { return buttons_.value(kind); }
  /// The chosen kind's settings; null for full training.
  PeftKindSettings* settings() const;
  StatusLine* estimateStatus() const { return estimate_; }

 protected:
  void applySeed(const QJsonObject& seed) override;

 private:
  void buildRows();
  void refresh();
  void showSettingsOf(const QString& kind);
  void settingsChanged();
  void runDryRun();
  void showEstimate(const MemoryEstimate& estimate);
  /// What the settings are built from: the method and the base model.
  QString signature() const;

  QButtonGroup* group_;
  QGridLayout* rows_;
  QStringList order_;  ///< the kinds in the engine's order
  QMap<QString, QRadioButton*> buttons_;
  QMap<QString, QLabel*> reasons_;
  QVBoxLayout* settings_box_;
  QLabel* settings_title_;
  QMap<QString, PeftKindSettings*> settings_;  ///< built when a kind is first chosen
  QString built_signature_;
  StatusLine* estimate_;
  QString seeded_kind_;
  QJsonObject seed_values_;  ///< applied to the seeded kind's settings when they are built
  QTimer dry_run_timer_;
  int serial_ = 0;
  bool refused_ = false;  ///< the engine refused one of this page's keys: Next waits for a fix
};

}  // namespace temper::studio
