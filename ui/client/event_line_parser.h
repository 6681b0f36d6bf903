#pragma once
/// Incremental parser of the engine's stdout: bytes arrive in arbitrary pieces (a read may end in
/// the middle of a line, or of a UTF-8 character), complete lines become events.
#include <QByteArray>
#include <QByteArrayView>
#include <optional>

#include "ui/client/engine_event.h"

namespace temper::studio {

class EventLineParser {
 public:
  /// A line longer than this without a newline is not an event; it is reported as malformed and
  /// dropped so a runaway child cannot grow the studio's memory without bound.
  static constexpr qsizetype kMaxLineBytes = 16 * 1024 * 1024;

  /// Appends the events of every line completed by `bytes` to `out`; keeps the unfinished tail.
  void feed(QByteArrayView bytes, EventBatch& out);
  /// End of stream: a last line without a newline is parsed too.
  void finish(EventBatch& out);

  /// One line (without its newline). nullopt for lines that are not protocol-v1 events; `why`
  /// then says what was wrong. Blank lines are neither events nor errors (why stays empty).
  static std::optional<EngineEvent> parseLine(QByteArrayView line, QString* why = nullptr);

 private:
  void takeLine(QByteArrayView line, EventBatch& out);

  QByteArray partial_;
  bool discarding_ = false;  ///< inside an over-long line: skip to its newline
};

}  // namespace temper::studio
