#include "ui/client/run_filter_proxy.h"

#include "ui/client/run_history_model.h"

namespace temper::studio {

RunFilterProxy::RunFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(RunHistoryModel::kSortRole);
  setDynamicSortFilter(true);
}

void RunFilterProxy::setStatusFilter(const QString& status) {
  if (status == status_) return;
  status_ = status;
  invalidateFilter();
}

void RunFilterProxy::setMethodFilter(const QString& method) {
  if (method == method_) return;
  method_ = method;
  invalidateFilter();
}

void RunFilterProxy::setTextFilter(const QString& text) {
  QStringList words = text.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
  if (words == words_) return;
  words_ = words;
  invalidateFilter();
}

bool RunFilterProxy::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const {
  const QModelIndex index = sourceModel()->index(source_row, 0, source_parent);
  if (!status_.isEmpty() && index.data(RunHistoryModel::kStatusRole).toString() != status_) return false;
  if (!method_.isEmpty() && index.data(RunHistoryModel::kMethodRole).toString() != method_) return false;
  if (words_.isEmpty()) return true;
  const QString haystack = index.data(RunHistoryModel::kSearchTextRole).toString();
  for (const QString& word : words_) {
    if (!haystack.contains(word)) return false;
  }
  return true;
}

}  // namespace temper::studio
