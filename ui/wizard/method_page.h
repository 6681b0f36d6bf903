#pragma once
/// Page 3: the method. Every method the engine lists (`temper info`, in its order) is shown with a
/// sentence on when to use it; one the engine cannot run yet, or that does not fit the base model
/// or the data by the engine's own description of it, is disabled with the reason beside it.
#include <QMap>

#include "ui/wizard/config_page.h"

class QButtonGroup;
class QLabel;
class QRadioButton;
class QScrollArea;

namespace temper::studio {

class MethodPage : public ConfigPage {
  Q_OBJECT

 public:
  explicit MethodPage(WizardContext* context, QWidget* parent = nullptr);

  void initializePage() override;
  bool isComplete() const override;
  void contribute(QJsonObject& config) const override;

  /// Why `method` is disabled now, or an empty string when it can be chosen.
  QString disabledReason(const QString& method) const;
  /// The row of `method`; null before the engine's `info` has arrived.
  QRadioButton* button(const QString& method) const { return buttons_.value(method); }

 protected:
  void applySeed(const QJsonObject& seed) override;

 private:
  /// One row per method of the engine's `info` (again when it changes).
  void buildRows();
  void refresh();

  QScrollArea* scroll_;
  QButtonGroup* group_;
  QStringList order_;  ///< the methods in the engine's order
  QMap<QString, QRadioButton*> buttons_;
  QMap<QString, QLabel*> reasons_;
  QString seeded_method_;
};

}  // namespace temper::studio
