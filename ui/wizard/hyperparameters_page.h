#pragma once
/// Page 4: the hyperparameters, one field per train key the engine lists for the method (common
/// keys first, the rest under "Advanced"; the "What is trained" page's keys are its own), starting
/// from defaults for the method, what is trained and the model size.
/// An invalid value is marked at its field with the allowed range and keeps Next disabled. The
/// engine's dry run gives the memory estimate; the device is one of the fields.
#include <QMap>
#include <QTimer>

#include "ui/wizard/config_page.h"

class QScrollArea;
class QLabel;
class QToolButton;

namespace temper::studio {

class KeyField;
class StatusLine;

class HyperparametersPage : public ConfigPage {
  Q_OBJECT

 public:
  explicit HyperparametersPage(WizardContext* context, QWidget* parent = nullptr);

  void initializePage() override;
  bool isComplete() const override;
  void contribute(QJsonObject& config) const override;

  /// The field of `key`, or nullptr when the method does not use it.
  KeyField* field(const QString& key) const { return fields_.value(key); }
  QStringList keys() const { return fields_.keys(); }
  bool advancedShown() const;
  void setAdvancedShown(bool shown);
  StatusLine* memoryStatus() const { return memory_; }

 protected:
  void applySeed(const QJsonObject& seed) override;

 private:
  void rebuild();
  void fieldChanged();
  void runDryRun();
  QString signature() const;

  QLabel* header_;
  QScrollArea* scroll_;
  QToolButton* advanced_toggle_ = nullptr;  ///< rebuilt with the fields
  QWidget* advanced_box_ = nullptr;
  QLabel* device_label_;
  StatusLine* memory_;
  QLabel* problems_;
  QMap<QString, KeyField*> fields_;
  QString built_signature_;
  QString built_method_;      ///< the method the fields are for
  QJsonObject built_values_;  ///< the values the fields started from (edits are what differs)
  QJsonObject seed_values_;   ///< the seed, applied at the next rebuild for its method
  QTimer dry_run_timer_;
  int serial_ = 0;
  bool refused_ = false;  ///< the last dry run refused the config: Next waits for one that accepts it
};

}  // namespace temper::studio
