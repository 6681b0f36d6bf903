#pragma once
/// Sorting and filtering of the run history: by status, by method and by free text (name, id,
/// method, base model, dataset, tags, notes; every word must match).
#include <QSortFilterProxyModel>
#include <QStringList>

namespace temper::studio {

class RunFilterProxy : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit RunFilterProxy(QObject* parent = nullptr);

  /// Empty means every status.
  void setStatusFilter(const QString& status);
  void setMethodFilter(const QString& method);
  void setTextFilter(const QString& text);

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

 private:
  QString status_;
  QString method_;
  QStringList words_;
};

}  // namespace temper::studio
