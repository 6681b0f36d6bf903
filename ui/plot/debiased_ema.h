#pragma once
/// Exponential moving average with TensorBoard's bias correction: with weight w,
///   acc_n = w * acc_{n-1} + (1 - w) * x_n,  acc_0 = 0,   smoothed_n = acc_n / (1 - w^n)
/// where n counts finite inputs only. Dividing by (1 - w^n) removes the pull towards the zero start,
/// so the first smoothed value equals the first input instead of (1 - w) times it. Non-finite inputs
/// pass through unchanged and do not advance the average (a NaN loss shows as a gap, and does not
/// poison every later point). Incremental: a live plot feeds each batch once, never the whole curve.
#include <QtGlobal>

namespace temper::studio {

class DebiasedEma {
 public:
  /// `weight` in [0, 1); values outside are clamped (0 = no smoothing).
  explicit DebiasedEma(double weight = 0.0);

  /// Feeds one value and returns its smoothed value.
  double push(double value);
  /// Forgets every value fed so far (the weight stays).
  void reset();

  double weight() const { return weight_; }
  qint64 count() const { return count_; }

 private:
  double weight_;
  double accumulator_ = 0.0;
  double weightPower_ = 1.0;  // w^count_, kept as a running product instead of pow() per value
  qint64 count_ = 0;
};

}  // namespace temper::studio
