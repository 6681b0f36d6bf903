#pragma once
/// The samples of one metric of one run, kept as columns (step, tokens, wall time, value,
/// smoothed value) in step order, so a plot can switch its horizontal axis or its smoothing
/// without asking the source again. Not thread-safe: owned and used by the GUI thread.
#include <QVector>

#include "ui/plot/debiased_ema.h"
#include "ui/plot/metric_sample.h"

namespace temper::studio {

class MetricSeries {
 public:
  /// `smoothed`: whether this metric gets an EMA at all (noisy per-step metrics do; validation
  /// loss and the learning rate do not). Unsmoothed series report their raw values as smoothed.
  explicit MetricSeries(bool smoothed, double smoothingWeight);

  /// Appends one sample. Steps normally grow; a sample whose step is not after the last one means
  /// the run was resumed from an earlier checkpoint (or a value was re-sent), so the points from
  /// that step on are dropped first: the resumed run's values replace them. Returns true when
  /// that happened (earlier indices changed, a plot must rebuild rather than append).
  bool append(const MetricSample& sample);
  /// Recomputes every smoothed value with a new weight.
  void setSmoothingWeight(double weight);
  void clear();

  bool isSmoothed() const { return smoothed_; }
  qsizetype size() const { return values_.size(); }
  bool isEmpty() const { return values_.isEmpty(); }

  qint64 step(qsizetype i) const { return steps_[i]; }
  qint64 tokens(qsizetype i) const { return tokens_[i]; }
  double wallTime(qsizetype i) const { return wallTimes_[i]; }
  double value(qsizetype i) const { return values_[i]; }
  double smoothedValue(qsizetype i) const { return smoothed_ ? smoothedValues_[i] : values_[i]; }
  /// The horizontal coordinate of point i on the given axis.
  double key(XAxis axis, qsizetype i) const;

  /// Index of the last point whose step is <= `step`, or -1 when there is none.
  qsizetype indexAtOrBeforeStep(qint64 step) const;
  /// Index of the first point whose key on `axis` is >= `key` (size() when none). Keys on every
  /// axis grow with the step (tokens and wall time are carried across resumes).
  qsizetype lowerBound(XAxis axis, double key) const;

 private:
  void truncateFromStep(qint64 step);
  void resmooth();

  bool smoothed_;
  DebiasedEma ema_;
  QVector<qint64> steps_;
  QVector<qint64> tokens_;
  QVector<double> wallTimes_;
  QVector<double> values_;
  QVector<double> smoothedValues_;  // empty for unsmoothed series
};

}  // namespace temper::studio
