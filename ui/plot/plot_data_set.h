#pragma once
/// Every run's metric series and checkpoints shown by one plot, independent of any widget: the
/// canvas draws from it, the CSV export writes it, tests check it without a display.
/// Not thread-safe: owned and used by the GUI thread.
#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

#include <map>
#include <memory>
#include <vector>

#include "ui/plot/metric_sample.h"
#include "ui/plot/metric_series.h"

namespace temper::studio {

/// What one appendSamples() call changed in one series.
struct SeriesChange {
  QString run;
  QString name;
  qsizetype firstNew = 0;  ///< index of the first appended point (valid when !rewound)
  bool rewound = false;    ///< earlier points were replaced: rebuild the whole series
};

class PlotDataSet {
 public:
  /// Whether a metric gets an EMA: the noisy per-step metrics do; validation loss (already an
  /// average over many batches, and sparse) and the scheduled learning rate do not.
  static bool isSmoothedMetric(const QString& name);

  /// Appends samples in the given order and says which series changed and how.
  QVector<SeriesChange> append(const QVector<MetricSample>& samples);
  /// Adds a checkpoint (a second one at the same step of the same run replaces the first).
  void addCheckpoint(const CheckpointMark& mark);
  /// Drops every run, series and checkpoint; the smoothing weight stays.
  void clear();

  void setSmoothingWeight(double weight);
  double smoothingWeight() const { return smoothingWeight_; }

  /// Run ids in the order their first sample (or checkpoint) arrived: the order of their colours.
  const QStringList& runs() const { return runs_; }
  /// Metric names of a run, in the fixed order loss, val_loss, lr, grad_norm, tokens_per_s,
  /// then any other name alphabetically.
  QStringList metricNames(const QString& run) const;
  /// The series, or nullptr when the run has no sample of that metric.
  const MetricSeries* series(const QString& run, const QString& name) const;
  /// A run's checkpoints in step order, with unknown tokens / wall time filled in from the train
  /// loss samples at that step (left unknown when there is no sample at or before it).
  QVector<CheckpointMark> checkpoints(const QString& run) const;
  qsizetype totalPoints() const;

  /// The data as CSV (RFC 4180): `run,metric,step,tokens,wall_time_s,value,smoothed`, one line per
  /// sample, runs in arrival order, metrics in metricNames() order, steps ascending. Numbers are
  /// written with the fewest digits that read back to the same double; `smoothed` is empty for
  /// metrics that are not smoothed.
  QString toCsv() const;

 private:
  struct RunData {
    std::map<QString, std::unique_ptr<MetricSeries>> series;
    std::vector<CheckpointMark> checkpoints;  // sorted by step
  };
  RunData& runData(const QString& run);

  double smoothingWeight_ = 0.0;
  QStringList runs_;
  QHash<QString, std::shared_ptr<RunData>> byRun_;
};

}  // namespace temper::studio
