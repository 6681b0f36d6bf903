#include "ui/wizard/data_preview_model.h"

#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>

namespace temper::studio {

namespace {

constexpr int kDisplayChars = 200;

QString fullText(const QJsonValue& value) {
  if (value.isString()) return value.toString();
  if (value.isArray()) return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
  if (value.isObject()) return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
  if (value.isBool()) return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
  if (value.isDouble()) return QString::number(value.toDouble(), 'g', 15);
  return {};
}

}  // namespace

void DataPreviewModel::setRecords(const QVector<QJsonObject>& records, const QStringList& used_fields) {
  beginResetModel();
  records_ = records;
  used_ = used_fields;
  columns_.clear();
  // Used fields first, in the engine's order, then whatever else the records carry.
  for (const QString& field : used_fields) {
    if (!columns_.contains(field)) columns_ << field;
  }
  for (const QJsonObject& record : records_) {
    for (auto it = record.begin(); it != record.end(); ++it) {
      if (!columns_.contains(it.key())) columns_ << it.key();
    }
  }
  endResetModel();
}

void DataPreviewModel::clear() { setRecords({}, {}); }

int DataPreviewModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(records_.size());
}

int DataPreviewModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(columns_.size());
}

QVariant DataPreviewModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const QJsonValue value = records_[index.row()].value(columns_[index.column()]);
  if (role == Qt::DisplayRole) {
    QString text = fullText(value);
    text.replace(QLatin1Char('\n'), QChar(0x21B5));  // one line per row: newlines as ↵
    if (text.size() > kDisplayChars) text = text.left(kDisplayChars) + QChar(0x2026);
    return text;
  }
  if (role == Qt::ToolTipRole) return fullText(value);
  return {};
}

QVariant DataPreviewModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation == Qt::Vertical) {
    if (role == Qt::DisplayRole && section >= 0 && section < records_.size()) return section + 1;
    return {};
  }
  if (section < 0 || section >= columns_.size()) return {};
  const bool used = used_.contains(columns_[section]);
  if (role == Qt::DisplayRole) return columns_[section];
  if (role == Qt::FontRole && used) {
    QFont font;
    font.setBold(true);
    return font;
  }
  if (role == Qt::ToolTipRole) return used ? tr("Used for training") : tr("Not used for training");
  return {};
}

}  // namespace temper::studio
