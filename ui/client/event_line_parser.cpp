#include "ui/client/event_line_parser.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace temper::studio {

std::optional<EngineEvent> EventLineParser::parseLine(QByteArrayView line, QString* why) {
  auto fail = [why](const QString& message) -> std::optional<EngineEvent> {
    if (why) *why = message;
    return std::nullopt;
  };
  if (why) why->clear();
  QByteArrayView trimmed = line.trimmed();
  if (trimmed.isEmpty()) return std::nullopt;
  QJsonParseError error{};
  // fromJson needs a QByteArray; fromRawData avoids copying the line.
  const QByteArray raw = QByteArray::fromRawData(trimmed.data(), trimmed.size());
  const QJsonDocument doc = QJsonDocument::fromJson(raw, &error);
  if (error.error != QJsonParseError::NoError) {
    return fail(QStringLiteral("not JSON (%1 at byte %2)").arg(error.errorString()).arg(error.offset));
  }
  if (!doc.isObject()) return fail(QStringLiteral("a JSON value that is not an object"));
  EngineEvent event;
  event.fields = doc.object();
  const QJsonValue version = event.fields.value(QLatin1String("v"));
  if (!version.isDouble() || version.toInt() != 1) {
    return fail(QStringLiteral("protocol version %1, this studio reads version 1")
                    .arg(version.isUndefined() ? QStringLiteral("missing") : version.toVariant().toString()));
  }
  const QJsonValue type = event.fields.value(QLatin1String("type"));
  if (!type.isString() || type.toString().isEmpty()) return fail(QStringLiteral("no `type`"));
  event.type = type.toString();
  event.run_id = event.fields.value(QLatin1String("run_id")).toString();
  event.time = event.fields.value(QLatin1String("t")).toDouble();
  return event;
}

void EventLineParser::takeLine(QByteArrayView line, EventBatch& out) {
  QString why;
  if (auto event = parseLine(line, &why)) {
    out.events.push_back(std::move(*event));
  } else if (!why.isEmpty()) {
    out.malformed_lines.push_back(QString::fromUtf8(line.first(qMin<qsizetype>(line.size(), 500))));
  }
}

void EventLineParser::feed(QByteArrayView bytes, EventBatch& out) {
  qsizetype start = 0;
  while (start < bytes.size()) {
    const qsizetype newline = bytes.indexOf('\n', start);
    if (newline < 0) {
      if (!discarding_) partial_.append(bytes.sliced(start));
      if (partial_.size() > kMaxLineBytes) {
        out.malformed_lines.push_back(
            QStringLiteral("(a stdout line longer than %1 bytes was dropped)").arg(kMaxLineBytes));
        partial_.clear();
        discarding_ = true;
      }
      return;
    }
    const QByteArrayView piece = bytes.sliced(start, newline - start);
    if (discarding_) {
      discarding_ = false;
    } else if (partial_.isEmpty()) {
      takeLine(piece, out);  // the common case: a whole line inside one read, no copy
    } else {
      partial_.append(piece);
      takeLine(partial_, out);
      partial_.clear();
    }
    start = newline + 1;
  }
}

void EventLineParser::finish(EventBatch& out) {
  if (!partial_.isEmpty() && !discarding_) takeLine(partial_, out);
  partial_.clear();
  discarding_ = false;
}

}  // namespace temper::studio
