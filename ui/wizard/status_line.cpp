#include "ui/wizard/status_line.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>

namespace temper::studio {

StatusLine::StatusLine(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  bar_ = new QProgressBar(this);
  bar_->setRange(0, 0);  // indeterminate: the engine gives no progress for these short questions
  bar_->setTextVisible(false);
  bar_->setFixedSize(60, 10);
  label_ = new QLabel(this);
  label_->setWordWrap(true);
  label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(bar_, 0, Qt::AlignVCenter);
  layout->addWidget(label_, 1);
  set(State::Hidden, {});
}

void StatusLine::showBusy(const QString& text) { set(State::Busy, text); }
void StatusLine::showMessage(const QString& text) { set(State::Message, text); }
void StatusLine::showError(const QString& text) { set(State::Error, text); }
void StatusLine::clear() { set(State::Hidden, {}); }

QString StatusLine::text() const { return label_->text(); }

void StatusLine::set(State state, const QString& text) {
  state_ = state;
  label_->setText(text);
  label_->setStyleSheet(state == State::Error ? QStringLiteral("color: #c0392b;") : QString());
  bar_->setVisible(state == State::Busy);
  setVisible(state != State::Hidden);
}

}  // namespace temper::studio
