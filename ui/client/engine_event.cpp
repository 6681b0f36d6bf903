#include "ui/client/engine_event.h"

#include <QJsonValue>

namespace temper::studio {

double EngineEvent::number(const char* key, double fallback) const {
  const QJsonValue value = fields.value(QLatin1String(key));
  return value.isDouble() ? value.toDouble() : fallback;
}

qint64 EngineEvent::integer(const char* key, qint64 fallback) const {
  const QJsonValue value = fields.value(QLatin1String(key));
  return value.isDouble() ? value.toInteger(static_cast<qint64>(value.toDouble())) : fallback;
}

QString EngineEvent::text(const char* key) const { return fields.value(QLatin1String(key)).toString(); }

bool EngineEvent::isRunEnd() const {
  return type == QLatin1String("run_finished") || type == QLatin1String("run_cancelled") ||
         type == QLatin1String("run_failed");
}

void EventBatch::append(const EventBatch& other) {
  events += other.events;
  malformed_lines += other.malformed_lines;
}

}  // namespace temper::studio
