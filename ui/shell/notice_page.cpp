#include "ui/shell/notice_page.h"

#include <QLabel>
#include <QVBoxLayout>

namespace temper::studio {

NoticePage::NoticePage(const QString& title, const QString& line, QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* heading = new QLabel(title, this);
  QFont font = heading->font();
  font.setPointSizeF(font.pointSizeF() * 1.5);
  font.setBold(true);
  heading->setFont(font);
  auto* text = new QLabel(line, this);
  text->setWordWrap(true);
  text->setObjectName(QStringLiteral("noticeLine"));
  layout->addWidget(heading);
  layout->addWidget(text);
  layout->addStretch(1);
}

}  // namespace temper::studio
