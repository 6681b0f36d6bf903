// LrSchedule: linear warmup to the peak, then cosine decay to min_lr at max_steps (nanoGPT's
// get_lr, which uses (step + 1) / warmup during warmup).
#include <gtest/gtest.h>

#include <cmath>

#include "core/train/lr_schedule.h"

namespace temper {
namespace {

// The cosine part written out independently: min + (peak - min) * (1 + cos(pi * t)) / 2.
double cosineAt(double peak, double min, double t) { return min + (peak - min) * 0.5 * (1.0 + std::cos(M_PI * t)); }

TEST(LrScheduleTest, WarmupIsLinearFromPeakOverWarmup) {
  LrSchedule s{1e-3, 1e-4, 10, 110};
  EXPECT_DOUBLE_EQ(s.at(0), 1e-3 / 10);
  EXPECT_DOUBLE_EQ(s.at(1), 2e-3 / 10);
  EXPECT_DOUBLE_EQ(s.at(4), 5e-3 / 10);
  EXPECT_DOUBLE_EQ(s.at(9), 1e-3);
  for (int64_t step = 1; step < 10; ++step) EXPECT_GT(s.at(step), s.at(step - 1));
}

TEST(LrScheduleTest, CosineFromPeakAtWarmupToMinAtMaxSteps) {
  LrSchedule s{1e-3, 1e-4, 10, 110};
  EXPECT_DOUBLE_EQ(s.at(10), 1e-3);
  EXPECT_NEAR(s.at(60), (1e-3 + 1e-4) / 2, 1e-15);
  EXPECT_NEAR(s.at(35), cosineAt(1e-3, 1e-4, 0.25), 1e-15);
  EXPECT_NEAR(s.at(85), cosineAt(1e-3, 1e-4, 0.75), 1e-15);
  EXPECT_NEAR(s.at(110), 1e-4, 1e-15);
  EXPECT_NEAR(s.at(500), 1e-4, 1e-15);  // past the end: stays at min_lr
  for (int64_t step = 11; step <= 110; ++step) EXPECT_LT(s.at(step), s.at(step - 1)) << step;
}

TEST(LrScheduleTest, NoWarmupStartsAtPeak) {
  LrSchedule s{6e-4, 6e-5, 0, 100};
  EXPECT_DOUBLE_EQ(s.at(0), 6e-4);
  EXPECT_NEAR(s.at(50), (6e-4 + 6e-5) / 2, 1e-15);
  EXPECT_NEAR(s.at(100), 6e-5, 1e-15);
}

TEST(LrScheduleTest, MaxStepsEqualToWarmupHasNoDecayPhase) {
  LrSchedule s{1e-3, 1e-5, 4, 4};
  EXPECT_DOUBLE_EQ(s.at(0), 0.25e-3);
  EXPECT_DOUBLE_EQ(s.at(3), 1e-3);
  EXPECT_DOUBLE_EQ(s.at(4), 1e-5);
  EXPECT_DOUBLE_EQ(s.at(40), 1e-5);
}

TEST(LrScheduleTest, MinEqualToPeakIsConstantAfterWarmup) {
  LrSchedule s{2e-4, 2e-4, 2, 20};
  for (int64_t step = 2; step <= 25; ++step) EXPECT_DOUBLE_EQ(s.at(step), 2e-4);
}

}  // namespace
}  // namespace temper
