#pragma once
/// The table beside the comparison plot: one column per picked run (headed by its name and its
/// curve colour), one row per field — method, base model, dataset, status, best and last
/// validation loss, steps, tokens, duration — then the hyperparameters of each run's train
/// config, those that differ between the runs first, in bold on a highlighted background.
#include <QAbstractTableModel>
#include <QColor>
#include <QJsonObject>
#include <QMap>
#include <QVector>

#include "ui/client/run_summary.h"
#include "ui/pages/compare/config_diff.h"

namespace temper::studio {

/// One picked run: its history figures, its train config and the colour of its curves.
struct ComparedRun {
  RunSummary summary;
  QJsonObject train_config;  ///< the "train" object of the stored config
  QColor color;
};

class RunComparisonModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  /// Rows before the hyperparameters.
  enum FixedRow {
    kMethod,
    kBaseModel,
    kDataset,
    kStatus,
    kBestValLoss,
    kLastValLoss,
    kSteps,
    kTokens,
    kDuration,
    kFixedRowCount
  };
  enum Role {
    kDiffersRole = Qt::UserRole + 1,  ///< bool: the row's values are not the same in every run
    kKeyRole,                         ///< the config key of a hyperparameter row, empty for fixed rows
    kColorRole,                       ///< horizontal header: the run's curve colour (DecorationRole: a swatch)
  };

  using QAbstractTableModel::QAbstractTableModel;

  void setRuns(const QVector<ComparedRun>& runs);
  const QVector<ComparedRun>& runs() const { return runs_; }
  /// The hyperparameter keys in row order (differing first).
  QStringList hyperparameterKeys() const { return diff_.differing + diff_.same; }
  const ConfigDiff& diff() const { return diff_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QString fixedText(const ComparedRun& run, int row) const;
  QString rowLabel(int row) const;
  bool rowDiffers(int row) const;

  QVector<ComparedRun> runs_;
  QVector<QMap<QString, QString>> flat_;
  ConfigDiff diff_;
  QVector<bool> fixed_differs_;
};

}  // namespace temper::studio
