#include "ui/pages/compare/run_comparison_model.h"

#include <QDateTime>
#include <QFont>
#include <QLocale>
#include <QPixmap>
#include <cmath>

#include "ui/client/run_history_model.h"

namespace temper::studio {

void RunComparisonModel::setRuns(const QVector<ComparedRun>& runs) {
  beginResetModel();
  runs_ = runs;
  flat_.clear();
  for (const ComparedRun& run : runs_) {
    QMap<QString, QString> flat = flattenConfig(run.train_config);
    flat.remove(QStringLiteral("name"));  // the column header already names the run
    flat_.push_back(flat);
  }
  diff_ = diffConfigs(flat_);
  fixed_differs_.fill(false, kFixedRowCount);
  if (runs_.size() > 1) {
    for (int row : {kMethod, kBaseModel, kDataset}) {
      for (const ComparedRun& run : runs_) {
        if (fixedText(run, row) != fixedText(runs_.front(), row)) fixed_differs_[row] = true;
      }
    }
  }
  endResetModel();
}

int RunComparisonModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || runs_.isEmpty()
             ? 0
             : kFixedRowCount + static_cast<int>(diff_.differing.size() + diff_.same.size());
}

int RunComparisonModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(runs_.size());
}

QString RunComparisonModel::fixedText(const ComparedRun& run, int row) const {
  const RunSummary& s = run.summary;
  const QLocale locale;
  auto loss = [](double v) { return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("—"); };
  switch (row) {
    case kMethod:
      return QString::fromStdString(s.run.method);
    case kBaseModel:
      return QString::fromStdString(s.run.base_model);
    case kDataset:
      return QString::fromStdString(s.run.dataset);
    case kStatus:
      return tr(s.run.status.c_str());
    case kBestValLoss:
      return loss(s.best_val_loss);
    case kLastValLoss:
      return loss(s.last_val_loss);
    case kSteps:
      return locale.toString(static_cast<qlonglong>(s.steps));
    case kTokens:
      return locale.toString(static_cast<qlonglong>(s.tokens));
    case kDuration: {
      // The history table's format, so a duration reads the same on both pages.
      const QString text = formatDuration(s.durationSeconds(static_cast<double>(QDateTime::currentSecsSinceEpoch())));
      return text.isEmpty() ? QStringLiteral("—") : text;
    }
    default:
      return {};
  }
}

QString RunComparisonModel::rowLabel(int row) const {
  switch (row) {
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
    default:
      return hyperparameterKeys().value(row - kFixedRowCount);
  }
}

bool RunComparisonModel::rowDiffers(int row) const {
  if (row < kFixedRowCount) return fixed_differs_.value(row);
  return row - kFixedRowCount < diff_.differing.size();
}

QVariant RunComparisonModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const int row = index.row();
  const ComparedRun& run = runs_[index.column()];
  switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole: {
      if (row < kFixedRowCount) return fixedText(run, row);
      const QString key = hyperparameterKeys().value(row - kFixedRowCount);
      const auto& flat = flat_[index.column()];
      const auto it = flat.constFind(key);
      if (it == flat.constEnd()) return role == Qt::ToolTipRole ? tr("not in this run's config") : QStringLiteral("—");
      return *it;
    }
    case Qt::FontRole:
      if (rowDiffers(row)) {
        QFont font;
        font.setBold(true);
        return font;
      }
      return {};
    case Qt::BackgroundRole:
      // A translucent amber reads as "look here" on light and dark palettes alike.
      return rowDiffers(row) ? QVariant(QColor(255, 183, 0, 70)) : QVariant();
    case kDiffersRole:
      return rowDiffers(row);
    case kKeyRole:
      return row < kFixedRowCount ? QString() : hyperparameterKeys().value(row - kFixedRowCount);
    default:
      return {};
  }
}

QVariant RunComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation == Qt::Horizontal) {
    if (section < 0 || section >= runs_.size()) return {};
    const RunRecord& run = runs_[section].summary.run;
    if (role == Qt::DisplayRole) return QString::fromStdString(run.name.empty() ? run.id : run.name);
    if (role == Qt::ToolTipRole) return QString::fromStdString(run.id);
    if (role == kColorRole) return runs_[section].color;
    if (role == Qt::DecorationRole && runs_[section].color.isValid()) {
      // QHeaderView draws icons and pixmaps, not colours: a small swatch of the curve's colour.
      QPixmap swatch(12, 12);
      swatch.fill(runs_[section].color);
      return swatch;
    }
    return {};
  }
  if (section < 0 || section >= rowCount()) return {};
  if (role == Qt::DisplayRole) return rowLabel(section);
  if (role == Qt::FontRole && rowDiffers(section)) {
    QFont font;
    font.setBold(true);
    return font;
  }
  if (role == Qt::ToolTipRole && rowDiffers(section)) return tr("differs between the picked runs");
  return {};
}

}  // namespace temper::studio
