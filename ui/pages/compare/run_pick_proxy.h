#pragma once
/// The run history as a checkable list for the Compare page: a check box in the name column, no
/// editing. The checked runs are kept by id (in the order they were checked, which gives them
/// their colours), so they survive sorting, filtering and reloads of the history.
#include <QIdentityProxyModel>
#include <QStringList>

namespace temper::studio {

class RunPickProxy : public QIdentityProxyModel {
  Q_OBJECT

 public:
  using QIdentityProxyModel::QIdentityProxyModel;

  /// Checked run ids in the order they were checked.
  QStringList checkedIds() const { return checked_; }
  /// Replaces the checked runs (ids not in the history are dropped on the next reload).
  void setCheckedIds(const QStringList& ids);
  bool isChecked(const QString& id) const { return checked_.contains(id); }

  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  void setSourceModel(QAbstractItemModel* source) override;

 Q_SIGNALS:
  void checkedChanged(const QStringList& ids);

 private:
  QString idAt(const QModelIndex& index) const;
  void dropVanished();

  QStringList checked_;
  QList<QMetaObject::Connection> source_connections_;
};

}  // namespace temper::studio
