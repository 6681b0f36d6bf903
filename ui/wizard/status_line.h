#pragma once
/// One line under a control that says what the engine is doing or answered: busy (with a moving
/// bar), a plain message, or an error in red.
#include <QWidget>

class QLabel;
class QProgressBar;

namespace temper::studio {

class StatusLine : public QWidget {
  Q_OBJECT

 public:
  enum class State { Hidden, Busy, Message, Error };

  explicit StatusLine(QWidget* parent = nullptr);

  void showBusy(const QString& text);
  void showMessage(const QString& text);
  void showError(const QString& text);
  void clear();

  State state() const { return state_; }
  QString text() const;

 private:
  void set(State state, const QString& text);

  QProgressBar* bar_;
  QLabel* label_;
  State state_ = State::Hidden;
};

}  // namespace temper::studio
