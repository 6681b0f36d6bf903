#include "ui/pages/library/library_model.h"

#include <QAbstractItemView>
#include <QCryptographicHash>
#include <QDir>
#include <QItemSelectionModel>
#include <QSignalBlocker>

namespace temper::studio {

void LibraryModel::setEntries(const QVector<LibraryEntry>& entries) {
  beginResetModel();
  entries_ = entries;
  endResetModel();
}

int LibraryModel::rowOfPath(const QString& path) const {
  for (int i = 0; i < entries_.size(); ++i)
    if (entries_[i].path == path) return i;
  return -1;
}

int LibraryModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(entries_.size());
}

int LibraryModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant LibraryModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const LibraryEntry& e = entries_[index.row()];
  switch (role) {
    case Qt::DisplayRole:
      switch (index.column()) {
        case kName:
          return e.name;
        case kOrigin:
          switch (e.origin) {
            case LibraryEntry::Origin::Added:
              return tr("added");
            case LibraryEntry::Origin::Workspace:
              return tr("workspace");
            case LibraryEntry::Origin::Run:
              return tr("run");
          }
          return {};
        case kPath:
          return QDir::toNativeSeparators(e.path);
      }
      return {};
    case Qt::ToolTipRole:
      return e.detail.isEmpty() ? QDir::toNativeSeparators(e.path)
                                : e.detail + QLatin1Char('\n') + QDir::toNativeSeparators(e.path);
    case kPathRole:
      return e.path;
    case kOriginRole:
      return static_cast<int>(e.origin);
    case kRunIdRole:
      return e.run_id;
    default:
      return {};
  }
}

QVariant LibraryModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kName:
      return tr("Name");
    case kOrigin:
      return tr("From");
    case kPath:
      return tr("Path");
    default:
      return {};
  }
}

namespace {
QString key(const QString& workspace, const QString& list) {
  // A path makes a poor QSettings key (slashes are groups); its hash does not.
  const QByteArray hash =
      QCryptographicHash::hash(QDir(workspace).absolutePath().toUtf8(), QCryptographicHash::Sha1).toHex().left(16);
  return QStringLiteral("library/%1/%2").arg(QString::fromLatin1(hash), list);
}
}  // namespace

QStringList addedPaths(QSettings* settings, const QString& workspace, const QString& list) {
  return settings ? settings->value(key(workspace, list)).toStringList() : QStringList();
}

void setAddedPaths(QSettings* settings, const QString& workspace, const QString& list, const QStringList& paths) {
  if (!settings) return;
  settings->setValue(key(workspace, list), paths);
  settings->sync();
}

bool addToAddedPaths(QSettings* settings, const QString& workspace, const QString& list, const QString& path) {
  QStringList paths = addedPaths(settings, workspace, list);
  if (paths.contains(path)) return false;
  paths.push_back(path);
  setAddedPaths(settings, workspace, list, paths);
  return true;
}

bool removeFromAddedPaths(QSettings* settings, const QString& workspace, const QString& list, const QString& path) {
  QStringList paths = addedPaths(settings, workspace, list);
  if (paths.removeAll(path) == 0) return false;
  setAddedPaths(settings, workspace, list, paths);
  return true;
}

QModelIndex indexOfPath(const QAbstractItemModel& model, const QString& path) {
  if (path.isEmpty() || model.rowCount() == 0) return {};
  const QModelIndexList found = model.match(model.index(0, 0), LibraryModel::kPathRole, path, 1,
                                            Qt::MatchExactly | Qt::MatchRecursive | Qt::MatchCaseSensitive);
  return found.isEmpty() ? QModelIndex() : found.first();
}

bool reselectPath(QAbstractItemView& view, const QString& path) {
  const QModelIndex index = indexOfPath(*view.model(), path);
  if (!index.isValid()) return false;
  QSignalBlocker block(view.selectionModel());  // the page already shows this entry
  view.setCurrentIndex(index);
  return true;
}

}  // namespace temper::studio
