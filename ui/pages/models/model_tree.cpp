#include "ui/pages/models/model_tree.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QFont>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>
#include <cmath>

#include "ui/client/formatting.h"
#include "ui/client/run_summary.h"
#include "ui/pages/library/library_model.h"
#include "ui/pages/playground/playground_adapters.h"

namespace temper::studio {
namespace {

// Two spellings of one folder (a link, a trailing slash) must group together.
QString folderKey(const QString& path) {
  const QString canonical = QFileInfo(path).canonicalFilePath();
  return canonical.isEmpty() ? QDir::cleanPath(path) : canonical;
}

ModelRow missingBase(const QString& base) {
  ModelRow row;
  row.kind = ModelRow::Kind::MissingBase;
  row.name = folderLabel(base);
  row.path = QDir::isAbsolutePath(base) ? QDir::cleanPath(base) : base;
  row.bytes = folderBytes(base);
  row.detail = row.bytes >= 0
                   ? ModelTreeModel::tr("The base of the adapters below; not in the list (Add folder… keeps it)")
                   : ModelTreeModel::tr("The base of the adapters below; its folder is not on this machine");
  return row;
}

}  // namespace

qint64 folderBytes(const QString& dir) {
  if (!QFileInfo(dir).isDir()) return -1;
  qint64 bytes = 0;
  QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
  while (it.hasNext()) bytes += it.nextFileInfo().size();
  return bytes;
}

ModelRow modelRowOf(const LibraryEntry& entry, const RunSummary* run) {
  ModelRow row;
  row.name = entry.name;
  row.path = entry.path;
  row.run_id = entry.run_id;
  row.detail = entry.detail;
  row.kind = entry.origin == LibraryEntry::Origin::Run ? ModelRow::Kind::RunModel : ModelRow::Kind::AddedModel;
  if (run) {
    row.method = QString::fromStdString(run->run.method);
    const QString dataset = QString::fromStdString(run->run.dataset);
    row.data = dataset.isEmpty() ? QString() : QFileInfo(QDir::cleanPath(dataset)).fileName();
    row.has_metric = std::isfinite(run->best_val_loss);
    row.best_val_loss = row.has_metric ? run->best_val_loss : 0;
  }
  // What the folder holds decides, not the run's config: an added PEFT folder is an adapter too.
  if (const auto adapter = readAdapterFolder(entry.path)) {
    row.kind = ModelRow::Kind::Adapter;
    row.peft = adapter->kind;
    row.base = adapter->base;
    row.classifier = adapter->classifier;
    if (row.base.isEmpty() && run) row.base = QString::fromStdString(run->run.base_model);
  }
  row.bytes = folderBytes(entry.path);
  return row;
}

QVector<ModelGroup> groupModels(const QVector<ModelRow>& rows) {
  QVector<ModelGroup> groups, missing;
  QStringList keys, missing_keys;
  for (const ModelRow& row : rows) {
    if (row.isAdapter()) continue;
    groups.push_back({row, {}});
    keys << folderKey(row.path);
  }
  for (const ModelRow& row : rows) {
    if (!row.isAdapter()) continue;
    const QString key = folderKey(row.base);
    if (const qsizetype at = keys.indexOf(key); at >= 0) {
      groups[at].adapters << row;
    } else if (const qsizetype m = missing_keys.indexOf(key); m >= 0) {
      missing[m].adapters << row;
    } else {
      missing.push_back({missingBase(row.base), {row}});
      missing_keys << key;
    }
  }
  return groups + missing;
}

void ModelTreeModel::setGroups(QVector<ModelGroup> groups) {
  beginResetModel();
  groups_ = std::move(groups);
  endResetModel();
}

// internalId: 0 for a model row, its group's row + 1 for an adapter row.
const ModelRow* ModelTreeModel::rowAt(const QModelIndex& index) const {
  if (!index.isValid()) return nullptr;
  const quintptr group = index.internalId();
  if (group == 0) return index.row() < groups_.size() ? &groups_[index.row()].model : nullptr;
  if (group > static_cast<quintptr>(groups_.size())) return nullptr;
  const QVector<ModelRow>& adapters = groups_[static_cast<qsizetype>(group - 1)].adapters;
  return index.row() < adapters.size() ? &adapters[index.row()] : nullptr;
}

QModelIndex ModelTreeModel::index(int row, int column, const QModelIndex& parent) const {
  if (!hasIndex(row, column, parent)) return {};
  if (!parent.isValid()) return createIndex(row, column, quintptr(0));
  return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex ModelTreeModel::parent(const QModelIndex& child) const {
  if (!child.isValid() || child.internalId() == 0) return {};
  return createIndex(static_cast<int>(child.internalId() - 1), 0, quintptr(0));
}

int ModelTreeModel::rowCount(const QModelIndex& parent) const {
  if (!parent.isValid()) return static_cast<int>(groups_.size());
  if (parent.column() != 0 || parent.internalId() != 0) return 0;  // adapters have no children
  return static_cast<int>(groups_[parent.row()].adapters.size());
}

int ModelTreeModel::columnCount(const QModelIndex&) const { return kColumnCount; }

QString ModelTreeModel::kindLabel(const ModelRow& row) {
  switch (row.kind) {
    case ModelRow::Kind::AddedModel:
      return tr("Model (added)");
    case ModelRow::Kind::RunModel:
      return tr("Model (run)");
    case ModelRow::Kind::MissingBase:
      return tr("Model (not added)");
    case ModelRow::Kind::Adapter:
      return PlaygroundAdapters::kindLabel(row.peft);
  }
  return {};
}

QVariant ModelTreeModel::display(const ModelRow& row, int column) const {
  const QString none = QStringLiteral("—");
  switch (column) {
    case kName:
      return row.name;
    case kKind:
      return kindLabel(row);
    case kMethod:
      return row.method.isEmpty() ? none : row.method;
    case kData:
      return row.data.isEmpty() ? none : row.data;
    case kMetric:
      return row.has_metric ? tr("val loss %1").arg(QLocale().toString(row.best_val_loss, 'f', 3)) : none;
    case kSize:
      return row.bytes >= 0 ? formatBytes(row.bytes) : none;
    default:
      return {};
  }
}

QVariant ModelTreeModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const ModelRow* row = rowAt(index);
  if (!row) return {};
  switch (role) {
    case Qt::DisplayRole:
      return display(*row, index.column());
    case Qt::ToolTipRole: {
      QString tip = row->detail.isEmpty() ? QString() : row->detail + QLatin1Char('\n');
      tip += QDir::toNativeSeparators(row->path);
      if (row->isAdapter()) tip += QLatin1Char('\n') + tr("base %1").arg(QDir::toNativeSeparators(row->base));
      return tip;
    }
    case Qt::TextAlignmentRole:
      if (index.column() == kSize || index.column() == kMetric)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      return {};
    case Qt::FontRole:
      if (row->kind != ModelRow::Kind::MissingBase) return {};
      {
        QFont font;
        font.setItalic(true);
        return font;
      }
    case Qt::ForegroundRole:
      if (row->kind == ModelRow::Kind::MissingBase)
        return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
      return {};
    case LibraryModel::kPathRole:
      return row->path;
    case LibraryModel::kRunIdRole:
      return row->run_id;
    default:
      return {};
  }
}

QVariant ModelTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kName:
      return tr("Name");
    case kKind:
      return tr("Kind");
    case kMethod:
      return tr("Method");
    case kData:
      return tr("Data");
    case kMetric:
      return tr("Best");
    case kSize:
      return tr("Size");
    default:
      return {};
  }
}

}  // namespace temper::studio
