#include "ui/client/line_tail.h"

namespace temper::studio {
namespace {
constexpr qsizetype kMaxPartialBytes = 64 * 1024;
}

void LineTail::push(QByteArrayView line) {
  // A progress bar redraws with '\r': only the last redraw of a line is worth keeping.
  const qsizetype cr = line.lastIndexOf('\r', line.size() - 1);
  if (cr >= 0 && cr + 1 < line.size()) line = line.sliced(cr + 1);
  QString text = QString::fromUtf8(line).trimmed();
  if (text.isEmpty()) return;
  lines_.push_back(std::move(text));
  while (lines_.size() > max_lines_) lines_.pop_front();
}

void LineTail::feed(QByteArrayView bytes) {
  qsizetype start = 0;
  while (start < bytes.size()) {
    const qsizetype newline = bytes.indexOf('\n', start);
    if (newline < 0) {
      partial_.append(bytes.sliced(start));
      if (partial_.size() > kMaxPartialBytes) partial_ = partial_.right(kMaxPartialBytes);
      return;
    }
    if (partial_.isEmpty()) {
      push(bytes.sliced(start, newline - start));
    } else {
      partial_.append(bytes.sliced(start, newline - start));
      push(partial_);
      partial_.clear();
    }
    start = newline + 1;
  }
}

QStringList LineTail::lines() const {
  QStringList all = lines_;
  const QString last = QString::fromUtf8(partial_).trimmed();
  if (!last.isEmpty()) {
    all.push_back(last);
    if (all.size() > max_lines_) all.pop_front();
  }
  return all;
}

void LineTail::clear() {
  lines_.clear();
  partial_.clear();
}

}  // namespace temper::studio
