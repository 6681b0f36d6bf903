#pragma once
/// Page 5: the exact config that will be launched (read-only JSON), the run's name and tags, and
/// "Save as template".
#include "ui/wizard/config_page.h"

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace temper::studio {

class TemplateStore;

class ReviewPage : public ConfigPage {
  Q_OBJECT

 public:
  /// `templates` is not owned.
  ReviewPage(WizardContext* context, TemplateStore* templates, QWidget* parent = nullptr);

  void initializePage() override;
  void contribute(QJsonObject& config) const override;

  /// Tags typed by the user, comma-separated in the field: trimmed, without empties or repeats.
  QStringList tags() const;
  /// Saves the current config as template `name`; returns false (and says why) for an empty name.
  bool saveTemplate(const QString& name);
  QString configText() const;

 Q_SIGNALS:
  void templateSaved(const QString& name);

 protected:
  void applySeed(const QJsonObject& seed) override;

 private:
  void refreshJson();
  QString suggestedName() const;

  TemplateStore* templates_;
  QLineEdit* name_edit_;
  QLineEdit* tags_edit_;
  QPlainTextEdit* json_view_;
  QLineEdit* template_edit_;
  QPushButton* save_button_;
  QLabel* template_status_;
  bool name_edited_ = false;
};

}  // namespace temper::studio
