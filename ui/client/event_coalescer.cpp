#include "ui/client/event_coalescer.h"

namespace temper::studio {

EventCoalescer::EventCoalescer(QObject* parent, int interval_ms) : QObject(parent) {
  timer_.setSingleShot(true);
  timer_.setInterval(interval_ms);
  // PreciseTimer: a coarse timer may fire up to 5% late, and 40 ms is already the latency budget.
  timer_.setTimerType(Qt::PreciseTimer);
  connect(&timer_, &QTimer::timeout, this, &EventCoalescer::flush);
}

void EventCoalescer::add(const EventBatch& batch) {
  if (batch.isEmpty()) return;
  pending_.append(batch);
  if (!timer_.isActive()) timer_.start();
}

void EventCoalescer::flush() {
  timer_.stop();
  if (pending_.isEmpty()) return;
  EventBatch ready;
  std::swap(ready, pending_);
  Q_EMIT batchReady(ready);
}

}  // namespace temper::studio
