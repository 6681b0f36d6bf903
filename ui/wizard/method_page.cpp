#include "ui/wizard/method_page.h"

#include <QButtonGroup>
#include <QGridLayout>
#include <QLabel>
#include <QRadioButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "ui/wizard/method_catalog.h"

namespace temper::studio {

MethodPage::MethodPage(WizardContext* context, QWidget* parent) : ConfigPage(context, parent) {
  setTitle(tr("Method"));
  setSubTitle(tr("How the model learns from your data."));
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  scroll_ = new QScrollArea(this);
  scroll_->setWidgetResizable(true);
  scroll_->setFrameShape(QFrame::NoFrame);
  scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);  // the sentences wrap instead
  outer->addWidget(scroll_);
  group_ = new QButtonGroup(this);
  connect(context_, &WizardContext::infoChanged, this, [this] {
    buildRows();
    refresh();
  });
  buildRows();
}

void MethodPage::buildRows() {
  QStringList names;
  for (const MethodInfo& method : context_->info().methods) names << method.name;
  if (names == order_ && scroll_->widget()) return;  // the same methods: keep the rows and the choice
  order_ = names;
  for (QAbstractButton* button : group_->buttons()) group_->removeButton(button);
  buttons_.clear();
  reasons_.clear();
  auto* inner = new QWidget(scroll_);
  auto* grid = new QGridLayout(inner);
  grid->setVerticalSpacing(1);
  grid->setColumnStretch(1, 1);
  grid->setHorizontalSpacing(12);
  int row = 0;
  QString group;
  for (const MethodInfo& method : context_->info().methods) {
    // A heading where what the methods learn from changes (in the engine's order).
    const QString method_group = methodGroup(method.name);
    if (method_group != group && !method_group.isEmpty()) {
      auto* heading = new QLabel(method_group, inner);
      heading->setObjectName(QStringLiteral("group-") + method.name);
      heading->setStyleSheet(
          QStringLiteral("color: palette(highlight); font-weight: 600;"));  // a section, not a disabled row
      heading->setContentsMargins(0, row == 0 ? 0 : 6, 0, 2);
      grid->addWidget(heading, row, 0, 1, 2);
      ++row;
    }
    group = method_group;
    const MethodText text = methodText(method);
    auto* radio = new QRadioButton(text.title, inner);
    radio->setObjectName(method.name);
    QFont bold = radio->font();
    bold.setBold(true);
    radio->setFont(bold);
    auto* when = new QLabel(text.when, inner);
    when->setWordWrap(true);
    when->setContentsMargins(24, 0, 0, 0);
    auto* reason = new QLabel(inner);
    reason->setObjectName(method.name + QStringLiteral("-reason"));
    reason->setWordWrap(true);
    reason->setStyleSheet(QStringLiteral("color: #a04000;"));
    // The reason sits beside the title, so that the thirteen methods and their group headings
    // fit the wizard's height with little scrolling.
    grid->addWidget(radio, row, 0);
    grid->addWidget(reason, row, 1);
    grid->addWidget(when, row + 1, 0, 1, 2);
    grid->setRowMinimumHeight(row + 2, 2);
    row += 3;
    group_->addButton(radio);
    buttons_.insert(method.name, radio);
    reasons_.insert(method.name, reason);
    connect(radio, &QRadioButton::toggled, this, [this, name = method.name](bool checked) {
      if (checked) context_->method = name;
      Q_EMIT completeChanged();
    });
  }
  grid->setRowStretch(row, 1);
  scroll_->setWidget(inner);  // deletes the previous rows
  if (!buttons_.contains(context_->method)) context_->method.clear();
}

QString MethodPage::disabledReason(const QString& method) const {
  if (!context_->infoReady()) return tr("Waiting for the engine.");
  const MethodInfo* info = context_->info().method(method);
  if (!info) return tr("This engine does not know this method.");
  if (!info->available) return info->reason.isEmpty() ? tr("Not in this engine yet.") : info->reason;
  return methodMismatch(*info, context_->from_scratch, context_->data_ok ? context_->data.format : QString(),
                        context_->model_ok && context_->model.isClassifier());
}

void MethodPage::refresh() {
  for (auto it = buttons_.begin(); it != buttons_.end(); ++it) {
    const QString reason = disabledReason(it.key());
    it.value()->setEnabled(reason.isEmpty());
    reasons_[it.key()]->setText(reason);
    reasons_[it.key()]->setVisible(!reason.isEmpty());
  }
  // A choice that no longer fits (the base model or data changed) is dropped; then the seed's
  // method, else the first that fits, is chosen so that Next is one click away.
  QRadioButton* checked = qobject_cast<QRadioButton*>(group_->checkedButton());
  if (checked && !checked->isEnabled()) {
    group_->setExclusive(false);
    checked->setChecked(false);
    group_->setExclusive(true);
    context_->method.clear();
    checked = nullptr;
  }
  if (!checked) {
    QRadioButton* pick = buttons_.value(seeded_method_);
    if (!pick || !pick->isEnabled()) {
      pick = nullptr;
      for (const QString& name : std::as_const(order_)) {
        if (buttons_[name]->isEnabled()) {
          pick = buttons_[name];
          break;
        }
      }
    }
    if (pick) pick->setChecked(true);
  }
  Q_EMIT completeChanged();
}

void MethodPage::initializePage() {
  applySeedIfNew();
  refresh();
}

void MethodPage::applySeed(const QJsonObject& seed) {
  // Clear the choice so that refresh() picks the seed's method when it fits.
  seeded_method_ = seed.value(QStringLiteral("method")).toString();
  if (QAbstractButton* checked = group_->checkedButton()) {
    group_->setExclusive(false);
    checked->setChecked(false);
    group_->setExclusive(true);
  }
  context_->method.clear();
}

bool MethodPage::isComplete() const {
  const QAbstractButton* checked = group_->checkedButton();
  return checked && checked->isEnabled();
}

void MethodPage::contribute(QJsonObject& config) const {
  if (!context_->method.isEmpty()) config[QStringLiteral("method")] = context_->method;
}

}  // namespace temper::studio
