#pragma once
/// The last N lines of a byte stream (the engine's stderr), kept for error reports: when a child
/// dies without a final event, its last words are usually the reason.
#include <QByteArray>
#include <QByteArrayView>
#include <QStringList>

namespace temper::studio {

class LineTail {
 public:
  explicit LineTail(int max_lines = 50) : max_lines_(max_lines) {}

  void feed(QByteArrayView bytes);
  /// The complete lines, oldest first, plus an unfinished last line if there is one.
  QStringList lines() const;
  void clear();

 private:
  void push(QByteArrayView line);

  int max_lines_;
  QStringList lines_;
  QByteArray partial_;
};

}  // namespace temper::studio
