#pragma once
/// The run history as a table over the store: one row per run, newest first. Name, tags and notes
/// are edited in place and written straight through to the store.
#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <optional>
#include <vector>

#include "ui/client/run_summary.h"

class QThread;

namespace temper::studio {

/// Lives on the GUI thread. startReload() reads the store on a worker thread with a read-only
/// connection of its own (a SQLite connection is used by one thread only); every other member
/// uses the model's connection on the GUI thread.
class RunHistoryModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    kName,
    kMethod,
    kBaseModel,
    kDataset,
    kStatus,
    kBestValLoss,
    kLastValLoss,
    kSteps,
    kTokens,
    kDuration,
    kCreated,
    kTags,
    kNotes,
    kColumnCount
  };
  enum Role {
    kSortRole = Qt::UserRole + 1,  ///< numbers as numbers, missing values last
    kRunIdRole,
    kStatusRole,
    kMethodRole,
    kSearchTextRole,  ///< everything free-text search looks at, lower-cased
  };

  /// `database_path`: `<workspace>/temper.db`; created (with its folder) on the first reload.
  explicit RunHistoryModel(QString database_path, QObject* parent = nullptr);
  /// Waits for a reload still reading (it writes into nothing the model owns, but its thread must
  /// end before its QThread goes).
  ~RunHistoryModel() override;

  /// Points the model at another store (another workspace); empty until the next reload. A load
  /// of the previous store still under way is dropped when it ends.
  void setDatabasePath(const QString& database_path);
  /// Reads every run again without blocking: the store is read on a worker thread, then the rows
  /// are replaced on this thread and loaded() says how it went. A reload asked while one reads
  /// runs once more after it. refreshRun(), edits and deletes made while it reads are read again
  /// once its rows are in, so its older snapshot cannot undo them.
  void startReload();
  /// True from startReload() until its loaded().
  bool isLoading() const { return loader_ != nullptr; }
  /// Reads every run again on the calling thread (tests, tools; the window uses startReload()).
  /// On failure the model keeps its rows and `error` says why. Emits loaded() too.
  bool reload(QString* error = nullptr);
  /// Re-reads one run (a live run's figures, or a run that appeared since the last reload).
  bool refreshRun(const QString& run_id, QString* error = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

  int rowOf(const QString& run_id) const;
  const RunSummary& summaryAt(int row) const { return rows_[static_cast<size_t>(row)]; }

  bool renameRun(const QString& run_id, const QString& name, QString* error = nullptr);
  /// Deletes the run's rows from the store and its folder from disk. Refuses a run that is still
  /// training. The folder is removed only when it is named after the run (a damaged record must
  /// never make the studio delete some other folder).
  bool deleteRun(const QString& run_id, QString* error = nullptr);

  QString databasePath() const { return database_path_; }
  /// Milliseconds the last reload took, from asking to the rows being in (the history must open in
  /// <= 300 ms for 10,000 runs).
  qint64 lastReloadMs() const { return last_reload_ms_; }

 Q_SIGNALS:
  /// A reload ended: the rows are the store's (`ok`), or the model kept its rows and `error` says
  /// why.
  void loaded(bool ok, const QString& error);
  /// A write to the store failed (an edit in place cannot return an error message).
  void storeError(const QString& message);

 private:
  bool ensureStore(QString* error);
  QVariant displayData(const RunSummary& s, int column) const;
  QVariant sortData(const RunSummary& s, int column) const;
  bool writeText(int row, int column, const QString& value, QString* error);
  void reindex();
  void replaceRows(std::vector<RunSummary> rows);
  void touch(const QString& run_id);

  QString database_path_;
  std::optional<Store> store_;
  std::vector<RunSummary> rows_;
  QHash<QString, int> row_by_id_;
  qint64 last_reload_ms_ = 0;
  QThread* loader_ = nullptr;
  bool load_again_ = false;
  int generation_ = 0;     ///< bumped by setDatabasePath: a load of the old store is dropped
  QSet<QString> touched_;  ///< runs changed on this thread while the worker read
};

/// "12m03s", "2h05m", "45s"; "" for 0.
QString formatDuration(double seconds);

}  // namespace temper::studio
