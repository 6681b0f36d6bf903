// Clean stop on request and exact resume: a run stopped after step 3 and resumed from its
// checkpoint by a fresh Trainer and task reproduces an uninterrupted run bit for bit.
#include <gtest/gtest.h>

#include "core/train/trainer.h"
#include "train_test_support.h"

namespace temper {
namespace {

using test::RegressionTask;
using test::RegressionTaskOptions;

LoopOptions options() {
  LoopOptions o;
  o.max_steps = 10;
  o.grad_accum = 2;
  o.grad_clip = 0.5;  // clipping active on some steps
  o.eval_every = 4;
  o.eval_batches = 2;
  o.checkpoint_every = 100;
  o.schedule = LrSchedule{0.03, 0.003, 2, 10};
  o.adamw = AdamWOptions{0.9, 0.95, 1e-8, 0.1};
  return o;
}

TrainerCallbacks recordTo(std::vector<StepReport>& steps) {
  TrainerCallbacks c;
  c.on_step = [&steps](const StepReport& r) { steps.push_back(r); };
  return c;
}

TEST(TrainerResumeTest, StopRequestCheckpointsAndResumeIsExact) {
  test::TempDir dir;
  // The uninterrupted reference run (dropout on: the RNG must be restored too).
  std::vector<StepReport> reference;
  RegressionTask reference_task(RegressionTaskOptions{.init_seed = 11});
  LoopResult full = Trainer(reference_task, options(), recordTo(reference), dir / "reference").run();
  ASSERT_EQ(full.outcome, RunOutcome::Finished);
  ASSERT_EQ(reference.size(), 10u);

  // The same run, stopped after step 3.
  std::vector<StepReport> first_part;
  std::vector<int64_t> checkpoint_steps;
  RegressionTask task(RegressionTaskOptions{.init_seed = 11});
  TrainerCallbacks callbacks = recordTo(first_part);
  callbacks.should_stop = [&first_part] { return first_part.back().step >= 3; };
  callbacks.on_checkpoint = [&](const CheckpointReport& r) { checkpoint_steps.push_back(r.step); };
  LoopResult stopped = Trainer(task, options(), callbacks, dir / "ckpt").run();
  EXPECT_EQ(stopped.outcome, RunOutcome::Cancelled);
  EXPECT_EQ(stopped.step, 3);
  test::expectContains(stopped.reason, {"stopped on request at step 3", "--resume"});
  EXPECT_EQ(checkpoint_steps, std::vector<int64_t>{3});
  auto latest = latestCheckpoint(dir / "ckpt");
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(*latest, dir / "ckpt" / "step-3");
  ASSERT_EQ(first_part.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(first_part[i].loss, reference[i].loss);

  // A fresh task (other initial weights, other RNG state) and trainer continue from step 3.
  std::vector<StepReport> second_part;
  RegressionTask resumed_task(RegressionTaskOptions{.init_seed = 12345});
  torch::rand({100});  // disturb the global RNG further
  Trainer resumed(resumed_task, options(), recordTo(second_part), dir / "ckpt");
  resumed.resumeFrom(*latest);
  EXPECT_EQ(resumed.step(), 3);
  LoopResult rest = resumed.run();
  EXPECT_EQ(rest.outcome, RunOutcome::Finished);
  EXPECT_EQ(rest.step, 10);
  ASSERT_EQ(second_part.size(), 7u);
  for (size_t i = 0; i < 7; ++i) {
    const StepReport& got = second_part[i];
    const StepReport& want = reference[i + 3];
    EXPECT_EQ(got.step, want.step);
    EXPECT_EQ(got.tokens_seen, want.tokens_seen);
    EXPECT_EQ(got.loss, want.loss) << "step " << want.step;  // bitwise
    EXPECT_EQ(got.grad_norm, want.grad_norm) << "step " << want.step;
    EXPECT_EQ(got.lr, want.lr);
  }
  EXPECT_GE(second_part.front().wall_time_s, first_part.back().wall_time_s);
  EXPECT_EQ(rest.last_val_loss, full.last_val_loss);
  auto a = reference_task.trainableParameters(), b = resumed_task.trainableParameters();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
}

TEST(TrainerResumeTest, StopRequestOnTheLastStepFinishes) {
  test::TempDir dir;
  RegressionTask task;
  std::vector<StepReport> steps;
  TrainerCallbacks callbacks = recordTo(steps);
  int polls = 0;
  callbacks.should_stop = [&polls] {
    ++polls;
    return true;
  };
  LoopOptions o = options();
  o.max_steps = 1;
  o.schedule.max_steps = 1;
  o.schedule.warmup_steps = 0;
  LoopResult result = Trainer(task, o, callbacks, dir.path()).run();
  EXPECT_EQ(result.outcome, RunOutcome::Finished);
  EXPECT_EQ(polls, 0);
  EXPECT_EQ(test::entryNames(dir.path()), std::vector<std::string>{"step-1"});
}

TEST(TrainerResumeTest, ResumingAFinishedRunDoesNothing) {
  test::TempDir dir;
  RegressionTask task;
  LoopOptions o = options();
  o.max_steps = 4;
  o.schedule.max_steps = 4;
  ASSERT_EQ(Trainer(task, o, {}, dir.path()).run().outcome, RunOutcome::Finished);
  RegressionTask again;
  std::vector<StepReport> steps;
  std::vector<int64_t> checkpoints;
  TrainerCallbacks callbacks = recordTo(steps);
  callbacks.on_checkpoint = [&](const CheckpointReport& r) { checkpoints.push_back(r.step); };
  Trainer trainer(again, o, callbacks, dir.path());
  trainer.resumeFrom(dir / "step-4");
  LoopResult result = trainer.run();
  EXPECT_EQ(result.outcome, RunOutcome::Finished);
  EXPECT_EQ(result.step, 4);
  EXPECT_TRUE(steps.empty());
  EXPECT_TRUE(checkpoints.empty());
}

}  // namespace
}  // namespace temper
