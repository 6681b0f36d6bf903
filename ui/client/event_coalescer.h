#pragma once
/// Gathers events and hands them on in batches, at most one per interval (~40 ms): an engine that
/// prints thousands of steps a second must not cost thousands of widget updates a second. The
/// first event after a quiet spell starts the timer, so an event waits at most one interval.
#include <QObject>
#include <QTimer>

#include "ui/client/engine_event.h"

namespace temper::studio {

class EventCoalescer : public QObject {
  Q_OBJECT
 public:
  static constexpr int kDefaultIntervalMs = 40;

  explicit EventCoalescer(QObject* parent = nullptr, int interval_ms = kDefaultIntervalMs);

  void add(const EventBatch& batch);
  /// Emits what is pending now (used at the end of a job, so its last events precede its end).
  void flush();
  int intervalMs() const { return timer_.interval(); }
  bool hasPending() const { return !pending_.isEmpty(); }

 Q_SIGNALS:
  void batchReady(const temper::studio::EventBatch& batch);

 private:
  QTimer timer_;
  EventBatch pending_;
};

}  // namespace temper::studio
