#include "ui/wizard/review_page.h"

#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/wizard/template_store.h"

namespace temper::studio {

ReviewPage::ReviewPage(WizardContext* context, TemplateStore* templates, QWidget* parent)
    : ConfigPage(context, parent), templates_(templates) {
  setTitle(tr("Review"));
  setSubTitle(tr("This is exactly the config the engine will run. Launch starts it and opens the live view."));
  setFinalPage(true);
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout();
  name_edit_ = new QLineEdit(this);
  name_edit_->setObjectName(QStringLiteral("name"));
  tags_edit_ = new QLineEdit(this);
  tags_edit_->setObjectName(QStringLiteral("tags"));
  tags_edit_->setPlaceholderText(tr("comma-separated, e.g. baseline, small-data"));
  form->addRow(tr("Name:"), name_edit_);
  form->addRow(tr("Tags:"), tags_edit_);
  layout->addLayout(form);

  json_view_ = new QPlainTextEdit(this);
  json_view_->setObjectName(QStringLiteral("configJson"));
  json_view_->setReadOnly(true);
  json_view_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  json_view_->setLineWrapMode(QPlainTextEdit::NoWrap);
  layout->addWidget(json_view_, 1);

  auto* template_row = new QHBoxLayout();
  template_edit_ = new QLineEdit(this);
  template_edit_->setObjectName(QStringLiteral("templateName"));
  template_edit_->setPlaceholderText(tr("Template name"));
  save_button_ = new QPushButton(tr("Save as template"), this);
  save_button_->setObjectName(QStringLiteral("saveTemplate"));
  template_status_ = new QLabel(this);
  template_status_->setObjectName(QStringLiteral("templateStatus"));
  template_row->addWidget(template_edit_, 1);
  template_row->addWidget(save_button_);
  template_row->addWidget(template_status_, 1);
  layout->addLayout(template_row);

  connect(name_edit_, &QLineEdit::textEdited, this, [this] { name_edited_ = true; });
  connect(name_edit_, &QLineEdit::textChanged, this, &ReviewPage::refreshJson);
  connect(save_button_, &QPushButton::clicked, this, [this] { saveTemplate(template_edit_->text()); });
}

QString ReviewPage::suggestedName() const {
  QStringList parts{context_->method};
  if (context_->peftInUse() != QLatin1String("none")) parts << context_->peftInUse();  // "sft lora …"
  parts << (context_->from_scratch ? context_->preset : QFileInfo(context_->base_dir).fileName());
  if (!context_->data_paths.isEmpty()) parts << QFileInfo(context_->data_paths.first()).completeBaseName();
  parts.removeAll(QString());
  return parts.join(QLatin1Char(' '));
}

void ReviewPage::initializePage() {
  applySeedIfNew();
  if (!name_edited_) name_edit_->setText(suggestedName());
  refreshJson();
}

void ReviewPage::applySeed(const QJsonObject& seed) {
  const QString name = seed.value(QStringLiteral("name")).toString();
  if (!name.isEmpty()) {
    name_edit_->setText(name);
    name_edited_ = true;
  }
}

void ReviewPage::refreshJson() {
  if (context_->assembleConfig) json_view_->setPlainText(configText());
}

QString ReviewPage::configText() const {
  return QString::fromUtf8(QJsonDocument(context_->assembleConfig()).toJson(QJsonDocument::Indented));
}

void ReviewPage::contribute(QJsonObject& config) const {
  if (context_->writesKey(QStringLiteral("name"))) config[QStringLiteral("name")] = name_edit_->text().trimmed();
}

QStringList ReviewPage::tags() const {
  QStringList tags;
  for (const QString& part : tags_edit_->text().split(QLatin1Char(','))) {
    const QString tag = part.trimmed();
    if (!tag.isEmpty() && !tags.contains(tag)) tags << tag;
  }
  return tags;
}

bool ReviewPage::saveTemplate(const QString& name) {
  const QString trimmed = name.trimmed();
  if (trimmed.isEmpty()) {
    template_status_->setText(tr("Give the template a name first."));
    return false;
  }
  const bool replaced = templates_->names().contains(trimmed);
  templates_->save(trimmed, context_->assembleConfig());
  template_status_->setText(replaced ? tr("Template \"%1\" replaced.").arg(trimmed)
                                     : tr("Saved as template \"%1\".").arg(trimmed));
  Q_EMIT templateSaved(trimmed);
  return true;
}

}  // namespace temper::studio
