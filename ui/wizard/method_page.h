#pragma once
/// Page 3: the method. Every method of the mission is listed with a sentence on when to use it;
/// one the engine cannot run yet, or that does not fit the base model or the data, is disabled with
/// the reason under it.
#include <QMap>

#include "ui/wizard/config_page.h"

class QButtonGroup;
class QLabel;
class QRadioButton;

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
  QRadioButton* button(const QString& method) const { return buttons_.value(method); }

 protected:
  void applySeed(const QJsonObject& seed) override;

 private:
  void refresh();

  QButtonGroup* group_;
  QMap<QString, QRadioButton*> buttons_;
  QMap<QString, QLabel*> reasons_;
  QString seeded_method_;
};

}  // namespace temper::studio
