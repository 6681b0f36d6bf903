#include "ui/plot/debiased_ema.h"

#include <algorithm>
#include <cmath>

namespace temper::studio {

DebiasedEma::DebiasedEma(double weight) : weight_(std::clamp(std::isfinite(weight) ? weight : 0.0, 0.0, 0.999)) {}

double DebiasedEma::push(double value) {
  if (!std::isfinite(value)) return value;
  accumulator_ = accumulator_ * weight_ + (1.0 - weight_) * value;
  weightPower_ *= weight_;
  ++count_;
  // 1 - w^n only reaches 0 for w = 0, n = 0, which cannot happen after the increment.
  return accumulator_ / (1.0 - weightPower_);
}

void DebiasedEma::reset() {
  accumulator_ = 0.0;
  weightPower_ = 1.0;
  count_ = 0;
}

}  // namespace temper::studio
