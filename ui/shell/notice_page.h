#pragma once
/// A page whose feature is not in the engine yet: its title and one line saying so. No controls
/// that do nothing.
#include <QWidget>

namespace temper::studio {

class NoticePage : public QWidget {
  Q_OBJECT
 public:
  NoticePage(const QString& title, const QString& line, QWidget* parent = nullptr);
};

}  // namespace temper::studio
