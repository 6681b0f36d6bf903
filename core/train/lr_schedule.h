#pragma once
/// Linear warmup to the peak, then cosine decay to `min_lr` at `max_steps` (nanoGPT's schedule).
#include <cstdint>

namespace temper {

struct LrSchedule {
  double peak_lr = 1e-3;
  double min_lr = 1e-4;
  int64_t warmup_steps = 0;
  int64_t max_steps = 1;

  /// Learning rate for optimizer step `step` (0-based).
  double at(int64_t step) const;
};

}  // namespace temper
