#pragma once
/// Reading fields of the engine's JSON replies (`temper info`, `model inspect`, `data inspect`,
/// `train --dry-run`): the few accessors every parser of them needs, in one place.
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace temper::studio::json_fields {

/// The strings of a JSON array (non-strings read as empty strings); empty for a non-array.
QStringList stringList(const QJsonValue& value);
/// `json[key]` as an integer (JSON numbers are doubles); 0 when absent.
qint64 integer(const QJsonObject& json, const char* key);
/// `json[key]` as a string; empty when absent or not a string.
QString str(const QJsonObject& json, const char* key);
/// Empty when `json[key]` is an array, else the message naming `what` (the command) and the key.
QString requireArray(const QJsonObject& json, const char* key, const char* what);

}  // namespace temper::studio::json_fields
