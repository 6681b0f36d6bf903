#include "ui/client/run_history_model.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLocale>
#include <QThread>
#include <exception>
#include <memory>
#include <utility>

#include "core/common/error.h"
#include "ui/client/process_probe.h"

namespace temper::studio {
namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

double nowUnix() { return static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0; }

QVariant lossOrEmpty(double value) { return std::isnan(value) ? QVariant() : QVariant(QString::number(value, 'f', 4)); }

// Sorting puts missing numbers after every real one in ascending order.
QVariant numberOrMissing(double value) {
  return std::isnan(value) ? QVariant(std::numeric_limits<double>::infinity()) : QVariant(value);
}

}  // namespace

QString formatDuration(double seconds) {
  if (!(seconds > 0)) return {};
  const qint64 total = qRound64(seconds);
  if (total >= 3600) {
    return QStringLiteral("%1h%2m").arg(total / 3600).arg((total % 3600) / 60, 2, 10, QLatin1Char('0'));
  }
  if (total >= 60) return QStringLiteral("%1m%2s").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1s").arg(total);
}

RunHistoryModel::RunHistoryModel(QString database_path, QObject* parent)
    : QAbstractTableModel(parent), database_path_(std::move(database_path)) {}

RunHistoryModel::~RunHistoryModel() {
  if (loader_) {
    loader_->wait();
    delete loader_;
  }
}

void RunHistoryModel::setDatabasePath(const QString& database_path) {
  ++generation_;
  load_again_ = false;
  touched_.clear();
  beginResetModel();
  store_.reset();
  rows_.clear();
  row_by_id_.clear();
  database_path_ = database_path;
  endResetModel();
}

bool RunHistoryModel::ensureStore(QString* error) {
  if (store_) return true;
  try {
    QDir().mkpath(QFileInfo(database_path_).absolutePath());
    store_.emplace(Store::open(database_path_.toStdString()));
    return true;
  } catch (const Error& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
}

void RunHistoryModel::reindex() {
  row_by_id_.clear();
  row_by_id_.reserve(static_cast<qsizetype>(rows_.size()));
  for (size_t i = 0; i < rows_.size(); ++i) row_by_id_.insert(q(rows_[i].run.id), static_cast<int>(i));
}

void RunHistoryModel::replaceRows(std::vector<RunSummary> rows) {
  beginResetModel();
  rows_ = std::move(rows);
  reindex();
  endResetModel();
}

void RunHistoryModel::touch(const QString& run_id) {
  if (loader_) touched_.insert(run_id);
}

bool RunHistoryModel::reload(QString* error) {
  QElapsedTimer timer;
  timer.start();
  QString message;
  std::vector<RunSummary> rows;
  bool ok = ensureStore(&message);
  if (ok) {
    try {
      rows = loadRunSummaries(*store_);
    } catch (const Error& e) {
      message = QString::fromUtf8(e.what());
      ok = false;
    }
  }
  if (ok) {
    replaceRows(std::move(rows));
    last_reload_ms_ = timer.elapsed();
  }
  if (error) *error = message;
  Q_EMIT loaded(ok, message);
  return ok;
}

void RunHistoryModel::startReload() {
  if (loader_) {
    load_again_ = true;  // one read at a time; the latest state wins
    return;
  }
  struct Result {
    std::vector<RunSummary> rows;
    QString error;
    bool ok = false;
  };
  auto result = std::make_shared<Result>();
  // The store (and its folder) is created here, on the model's own connection: the worker's
  // read-only one cannot create it.
  if (!ensureStore(&result->error)) {
    Q_EMIT loaded(false, result->error);
    return;
  }
  const std::string database = database_path_.toStdString();
  const int generation = generation_;
  auto timer = std::make_shared<QElapsedTimer>();
  timer->start();
  loader_ = QThread::create([database, result] {
    try {
      result->rows = loadRunSummaries(Store::openReadOnly(database));
      result->ok = true;
    } catch (const std::exception& e) {
      result->error = QString::fromUtf8(e.what());
    }
  });
  connect(loader_, &QThread::finished, this, [this, result, generation, timer] {
    loader_->deleteLater();
    loader_ = nullptr;
    const QSet<QString> touched = std::exchange(touched_, {});
    if (generation != generation_) {  // the workspace changed while it read
      if (std::exchange(load_again_, false)) startReload();
      return;
    }
    if (result->ok) {
      replaceRows(std::move(result->rows));
      // What changed here while the worker read may be newer than its snapshot.
      for (const QString& id : touched) refreshRun(id);
      last_reload_ms_ = timer->elapsed();
    }
    if (std::exchange(load_again_, false)) {
      startReload();
      return;
    }
    Q_EMIT loaded(result->ok, result->error);
  });
  loader_->start();
}

bool RunHistoryModel::refreshRun(const QString& run_id, QString* error) {
  touch(run_id);
  if (!ensureStore(error)) return false;
  try {
    std::optional<RunRecord> record = store_->findRun(run_id.toStdString());
    const int row = rowOf(run_id);
    if (!record) {
      if (row >= 0) {
        beginRemoveRows({}, row, row);
        rows_.erase(rows_.begin() + row);
        reindex();
        endRemoveRows();
      }
      return true;
    }
    RunSummary summary = loadRunSummary(*store_, std::move(*record));
    if (row >= 0) {
      rows_[static_cast<size_t>(row)] = std::move(summary);
      Q_EMIT dataChanged(index(row, 0), index(row, kColumnCount - 1));
    } else {
      beginInsertRows({}, 0, 0);  // a new run is the newest
      rows_.insert(rows_.begin(), std::move(summary));
      reindex();
      endInsertRows();
    }
    return true;
  } catch (const Error& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
}

int RunHistoryModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int RunHistoryModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

int RunHistoryModel::rowOf(const QString& run_id) const { return row_by_id_.value(run_id, -1); }

QVariant RunHistoryModel::displayData(const RunSummary& s, int column) const {
  const RunRecord& r = s.run;
  switch (column) {
    case kName:
      return q(r.name.empty() ? r.id : r.name);
    case kMethod:
      return q(r.method);
    case kBaseModel:
      return q(r.base_model);
    case kDataset: {
      // The folder name is what people recognise; the full path is in the tooltip.
      const QString name = QFileInfo(q(r.dataset)).fileName();
      return name.isEmpty() ? q(r.dataset) : name;
    }
    case kStatus:
      return q(r.status);
    case kBestValLoss:
      return lossOrEmpty(s.best_val_loss);
    case kLastValLoss:
      return lossOrEmpty(s.last_val_loss);
    case kSteps:
      return s.steps > 0 ? QVariant(QLocale().toString(static_cast<qlonglong>(s.steps))) : QVariant();
    case kTokens:
      return s.tokens > 0 ? QVariant(QLocale().toString(static_cast<qlonglong>(s.tokens))) : QVariant();
    case kDuration:
      return formatDuration(s.durationSeconds(nowUnix()));
    case kCreated:
      return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(r.created_at * 1000.0))
          .toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    case kTags:
      return q(r.tags);
    case kNotes:
      return q(r.notes);
    default:
      return {};
  }
}

QVariant RunHistoryModel::sortData(const RunSummary& s, int column) const {
  switch (column) {
    case kBestValLoss:
      return numberOrMissing(s.best_val_loss);
    case kLastValLoss:
      return numberOrMissing(s.last_val_loss);
    case kSteps:
      return static_cast<qlonglong>(s.steps);
    case kTokens:
      return static_cast<qlonglong>(s.tokens);
    case kDuration:
      return s.durationSeconds(nowUnix());
    case kCreated:
      return s.run.created_at;
    default:
      return displayData(s, column).toString().toLower();
  }
}

QVariant RunHistoryModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const RunSummary& s = rows_[static_cast<size_t>(index.row())];
  switch (role) {
    case Qt::DisplayRole:
      return displayData(s, index.column());
    case Qt::EditRole:
      if (index.column() == kName) return q(s.run.name);
      return displayData(s, index.column());
    case Qt::ToolTipRole:
      if (index.column() == kStatus && !s.run.error_message.empty()) return q(s.run.error_message);
      if (index.column() == kDataset) return q(s.run.dataset);
      if (index.column() == kNotes && !s.run.notes.empty()) return q(s.run.notes);
      return {};
    case Qt::TextAlignmentRole:
      if (index.column() >= kBestValLoss && index.column() <= kDuration) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      }
      return {};
    case kSortRole:
      return sortData(s, index.column());
    case kRunIdRole:
      return q(s.run.id);
    case kStatusRole:
      return q(s.run.status);
    case kMethodRole:
      return q(s.run.method);
    case kSearchTextRole:
      return q(s.run.name + '\n' + s.run.id + '\n' + s.run.method + '\n' + s.run.base_model + '\n' + s.run.dataset +
               '\n' + s.run.tags + '\n' + s.run.notes)
          .toLower();
    default:
      return {};
  }
}

QVariant RunHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kName:
      return tr("Name");
    case kMethod:
      return tr("Method");
    case kBaseModel:
      return tr("Base model");
    case kDataset:
      return tr("Dataset");
    case kStatus:
      return tr("Status");
    case kBestValLoss:
      return tr("Best val loss");
    case kLastValLoss:
      return tr("Last val loss");
    case kSteps:
      return tr("Steps");
    case kTokens:
      return tr("Tokens");
    case kDuration:
      return tr("Duration");
    case kCreated:
      return tr("Created");
    case kTags:
      return tr("Tags");
    case kNotes:
      return tr("Notes");
    default:
      return {};
  }
}

Qt::ItemFlags RunHistoryModel::flags(const QModelIndex& index) const {
  Qt::ItemFlags flags = QAbstractTableModel::flags(index);
  if (!index.isValid()) return flags;
  if (index.column() == kName || index.column() == kTags || index.column() == kNotes) flags |= Qt::ItemIsEditable;
  return flags;
}

bool RunHistoryModel::writeText(int row, int column, const QString& value, QString* error) {
  RunSummary& s = rows_[static_cast<size_t>(row)];
  touch(q(s.run.id));
  const std::string text = value.toStdString();
  QString message;
  if (!ensureStore(&message)) {
    if (error) *error = message;
    Q_EMIT storeError(message);
    return false;
  }
  try {
    if (column == kName) {
      store_->renameRun(s.run.id, text);
      s.run.name = text;
    } else if (column == kTags) {
      store_->setTags(s.run.id, text);
      s.run.tags = text;
    } else if (column == kNotes) {
      store_->setNotes(s.run.id, text);
      s.run.notes = text;
    } else {
      return false;
    }
  } catch (const Error& e) {
    message = QString::fromUtf8(e.what());
    if (error) *error = message;
    Q_EMIT storeError(message);
    return false;
  }
  Q_EMIT dataChanged(index(row, column), index(row, column));
  return true;
}

bool RunHistoryModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return false;
  }
  if (!(flags(index) & Qt::ItemIsEditable)) return false;
  QString text = value.toString();
  if (index.column() == kName) text = text.simplified();  // a name is one line
  if (index.column() == kTags) {
    // Tags are comma separated; normalise spacing so filtering and display agree.
    QStringList tags = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (QString& tag : tags) tag = tag.trimmed();
    tags.removeAll(QString());
    text = tags.join(QStringLiteral(", "));
  }
  return writeText(index.row(), index.column(), text, nullptr);
}

bool RunHistoryModel::renameRun(const QString& run_id, const QString& name, QString* error) {
  const int row = rowOf(run_id);
  if (row < 0) {
    if (error) *error = tr("No run %1 in the history.").arg(run_id);
    return false;
  }
  return writeText(row, kName, name.simplified(), error);
}

bool RunHistoryModel::deleteRun(const QString& run_id, QString* error) {
  const int row = rowOf(run_id);
  if (row < 0) {
    if (error) *error = tr("No run %1 in the history.").arg(run_id);
    return false;
  }
  const RunRecord& run = rows_[static_cast<size_t>(row)].run;
  touch(run_id);
  if (run.status == kRunRunning && processAlive(run.pid)) {
    if (error) *error = tr("Run %1 is still training; stop it first.").arg(run_id);
    return false;
  }
  const QString run_dir = q(run.run_dir);
  try {
    if (!ensureStore(error)) return false;
    store_->deleteRun(run.id);
  } catch (const Error& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  beginRemoveRows({}, row, row);
  rows_.erase(rows_.begin() + row);
  reindex();
  endRemoveRows();
  if (!run_dir.isEmpty() && QFileInfo(run_dir).fileName() == run_id && QFileInfo(run_dir).isDir()) {
    if (!QDir(run_dir).removeRecursively()) {
      if (error)
        *error = tr("The run was removed from the history, but its folder %1 could not be deleted.").arg(run_dir);
      return false;
    }
  }
  return true;
}

}  // namespace temper::studio
