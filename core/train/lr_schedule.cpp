#include "core/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace temper {

double LrSchedule::at(int64_t step) const {
  if (step < warmup_steps) return peak_lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  if (max_steps <= warmup_steps) return min_lr;
  double progress = static_cast<double>(step - warmup_steps) / static_cast<double>(max_steps - warmup_steps);
  progress = std::clamp(progress, 0.0, 1.0);
  double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
  return min_lr + cosine * (peak_lr - min_lr);
}

}  // namespace temper
