#include "ui/pages/compare/run_pick_proxy.h"

#include <QSet>

#include "ui/client/run_history_model.h"

namespace temper::studio {

QString RunPickProxy::idAt(const QModelIndex& index) const {
  return index.data(RunHistoryModel::kRunIdRole).toString();
}

void RunPickProxy::setCheckedIds(const QStringList& ids) {
  QStringList unique;
  for (const QString& id : ids)
    if (!id.isEmpty() && !unique.contains(id)) unique.push_back(id);
  if (unique == checked_) return;
  checked_ = unique;
  if (rowCount() > 0) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, 0), {Qt::CheckStateRole});
  Q_EMIT checkedChanged(checked_);
}

QVariant RunPickProxy::data(const QModelIndex& index, int role) const {
  if (role == Qt::CheckStateRole) {
    if (!index.isValid() || index.column() != 0) return {};
    return checked_.contains(idAt(index)) ? Qt::Checked : Qt::Unchecked;
  }
  return QIdentityProxyModel::data(index, role);
}

bool RunPickProxy::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (role != Qt::CheckStateRole || !index.isValid() || index.column() != 0) return false;
  const QString id = idAt(index);
  if (id.isEmpty()) return false;
  const bool check = value.value<Qt::CheckState>() == Qt::Checked;
  if (check == checked_.contains(id)) return true;
  if (check) {
    checked_.push_back(id);
  } else {
    checked_.removeAll(id);
  }
  Q_EMIT dataChanged(index, index, {Qt::CheckStateRole});
  Q_EMIT checkedChanged(checked_);
  return true;
}

Qt::ItemFlags RunPickProxy::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  Qt::ItemFlags f = QIdentityProxyModel::flags(index) & ~Qt::ItemIsEditable;  // picking, not editing
  if (index.column() == 0) f |= Qt::ItemIsUserCheckable;
  return f;
}

void RunPickProxy::setSourceModel(QAbstractItemModel* source) {
  // Only our own connections go: the base class has its own to the old source.
  for (const QMetaObject::Connection& c : source_connections_) disconnect(c);
  source_connections_.clear();
  QIdentityProxyModel::setSourceModel(source);
  if (source) {
    // A deleted run leaves the comparison; a reload keeps the runs that are still there.
    source_connections_ << connect(source, &QAbstractItemModel::modelReset, this, &RunPickProxy::dropVanished)
                        << connect(source, &QAbstractItemModel::rowsRemoved, this, &RunPickProxy::dropVanished);
  }
}

void RunPickProxy::dropVanished() {
  if (checked_.isEmpty() || !sourceModel()) return;
  QSet<QString> present;
  for (int row = 0; row < sourceModel()->rowCount(); ++row)
    present.insert(sourceModel()->index(row, 0).data(RunHistoryModel::kRunIdRole).toString());
  QStringList kept;
  for (const QString& id : checked_)
    if (present.contains(id)) kept.push_back(id);
  if (kept != checked_) {
    checked_ = kept;
    Q_EMIT checkedChanged(checked_);
  }
}

}  // namespace temper::studio
