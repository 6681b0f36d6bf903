#pragma once
/// The first records of a dataset as a table: one row per record, one column per field (in the
/// order the fields first appear); the fields training will use are shown in bold.
#include <QAbstractTableModel>
#include <QJsonObject>
#include <QStringList>
#include <QVector>

namespace temper::studio {

class DataPreviewModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  using QAbstractTableModel::QAbstractTableModel;

  /// Replaces the records; `used_fields` are the fields the engine reports it will read.
  void setRecords(const QVector<QJsonObject>& records, const QStringList& used_fields);
  void clear();
  QStringList columns() const { return columns_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  /// DisplayRole: the value on one line (nested values as compact JSON, cut at 200 characters);
  /// ToolTipRole: the whole value.
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QVector<QJsonObject> records_;
  QStringList columns_;
  QStringList used_;
};

}  // namespace temper::studio
