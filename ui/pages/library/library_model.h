#pragma once
/// The lists of the Datasets and Models pages: what the person added (files and folders,
/// remembered per workspace in QSettings) and what the workspace itself holds (prepared datasets,
/// the models of finished runs). One row per entry: name, where it comes from, path.
#include <QAbstractTableModel>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVector>

class QAbstractItemView;
class QAbstractItemModel;
class QModelIndex;

namespace temper::studio {

struct LibraryEntry {
  enum class Origin { Added, Workspace, Run };
  QString name;
  QString path;  ///< absolute file or folder
  Origin origin = Origin::Added;
  QString run_id;  ///< Origin::Run: the run whose model this is
  QString detail;  ///< one line shown as the row's tooltip (counts, the run's status…)
};

class LibraryModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kName, kOrigin, kPath, kColumnCount };
  enum Role { kPathRole = Qt::UserRole + 1, kOriginRole, kRunIdRole };

  using QAbstractTableModel::QAbstractTableModel;

  void setEntries(const QVector<LibraryEntry>& entries);
  const QVector<LibraryEntry>& entries() const { return entries_; }
  const LibraryEntry& entryAt(int row) const { return entries_[row]; }
  /// The row of `path`, or -1.
  int rowOfPath(const QString& path) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QVector<LibraryEntry> entries_;
};

/// The paths the person added to a list ("datasets", "models") for one workspace. Kept under
/// `library/<hash of the workspace path>/<list>` so each workspace has its own.
QStringList addedPaths(QSettings* settings, const QString& workspace, const QString& list);
void setAddedPaths(QSettings* settings, const QString& workspace, const QString& list, const QStringList& paths);
/// Appends `path` to the list; false when it was already there.
bool addToAddedPaths(QSettings* settings, const QString& workspace, const QString& list, const QString& path);
/// Drops `path` from the list; false when it was not there.
bool removeFromAddedPaths(QSettings* settings, const QString& workspace, const QString& list, const QString& path);

/// The first column's index of the row (at any depth) whose LibraryModel::kPathRole is `path`;
/// invalid when there is none.
QModelIndex indexOfPath(const QAbstractItemModel& model, const QString& path);
/// After the entries were replaced: selects the row of `path` again without emitting selection
/// signals (the page already shows it). False when the entry is gone.
bool reselectPath(QAbstractItemView& view, const QString& path);

}  // namespace temper::studio
