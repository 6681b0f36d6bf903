#include "ui/plot/metric_series.h"

#include <algorithm>

namespace temper::studio {

MetricSeries::MetricSeries(bool smoothed, double smoothingWeight) : smoothed_(smoothed), ema_(smoothingWeight) {}

bool MetricSeries::append(const MetricSample& sample) {
  const bool rewound = !steps_.isEmpty() && sample.step <= steps_.last();
  if (rewound) truncateFromStep(sample.step);
  steps_.append(sample.step);
  tokens_.append(sample.tokens);
  wallTimes_.append(sample.wallTime);
  values_.append(sample.value);
  if (smoothed_) smoothedValues_.append(ema_.push(sample.value));
  return rewound;
}

void MetricSeries::setSmoothingWeight(double weight) {
  ema_ = DebiasedEma(weight);
  resmooth();
}

void MetricSeries::clear() {
  steps_.clear();
  tokens_.clear();
  wallTimes_.clear();
  values_.clear();
  smoothedValues_.clear();
  ema_.reset();
}

double MetricSeries::key(XAxis axis, qsizetype i) const {
  switch (axis) {
    case XAxis::Tokens:
      return static_cast<double>(tokens_[i]);
    case XAxis::WallTime:
      return wallTimes_[i];
    case XAxis::Step:
      break;
  }
  return static_cast<double>(steps_[i]);
}

qsizetype MetricSeries::indexAtOrBeforeStep(qint64 step) const {
  const auto it = std::upper_bound(steps_.cbegin(), steps_.cend(), step);
  return (it - steps_.cbegin()) - 1;
}

qsizetype MetricSeries::lowerBound(XAxis axis, double key) const {
  switch (axis) {
    case XAxis::Tokens:
      return std::lower_bound(tokens_.cbegin(), tokens_.cend(), key,
                              [](qint64 a, double k) { return static_cast<double>(a) < k; }) -
             tokens_.cbegin();
    case XAxis::WallTime:
      return std::lower_bound(wallTimes_.cbegin(), wallTimes_.cend(), key) - wallTimes_.cbegin();
    case XAxis::Step:
      break;
  }
  return std::lower_bound(steps_.cbegin(), steps_.cend(), key,
                          [](qint64 a, double k) { return static_cast<double>(a) < k; }) -
         steps_.cbegin();
}

void MetricSeries::truncateFromStep(qint64 step) {
  const auto keep = std::lower_bound(steps_.cbegin(), steps_.cend(), step) - steps_.cbegin();
  steps_.resize(keep);
  tokens_.resize(keep);
  wallTimes_.resize(keep);
  values_.resize(keep);
  // The EMA state after the kept prefix is not recoverable from its outputs alone: recompute.
  // Rare (a resume), so the O(n) pass is fine.
  resmooth();
}

void MetricSeries::resmooth() {
  ema_.reset();
  smoothedValues_.clear();
  if (!smoothed_) return;
  smoothedValues_.reserve(values_.size());
  for (double v : values_) smoothedValues_.append(ema_.push(v));
}

}  // namespace temper::studio
