#pragma once
/// A wizard page that contributes its part of the train config and can start from a seed config
/// (template, last used values, a duplicated run).
#include <QJsonObject>
#include <QWizardPage>

#include "ui/wizard/wizard_context.h"

namespace temper::studio {

class ConfigPage : public QWizardPage {
  Q_OBJECT

 public:
  ConfigPage(WizardContext* context, QWidget* parent = nullptr) : QWizardPage(parent), context_(context) {}

  /// Writes this page's keys into `config` (only keys the engine lists in `info`).
  virtual void contribute(QJsonObject& config) const = 0;

  /// The pages keep what was entered when going back (no field reset).
  void cleanupPage() override {}

 protected:
  /// Applies the context's seed once per seed generation; call from initializePage().
  void applySeedIfNew() {
    if (applied_generation_ == context_->seedGeneration()) return;
    applied_generation_ = context_->seedGeneration();
    applySeed(context_->seed());
  }
  virtual void applySeed(const QJsonObject& seed) = 0;

  WizardContext* context_;

 private:
  int applied_generation_ = 0;
};

}  // namespace temper::studio
