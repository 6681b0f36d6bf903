// The training loop on RegressionTask: learning, callback cadence, gradient accumulation, and the
// NaN/Inf guard.
#include <gtest/gtest.h>

#include "core/train/trainer.h"
#include "train_test_support.h"

namespace temper {
namespace {

using test::RegressionTask;
using test::RegressionTaskOptions;

LoopOptions options(int64_t max_steps) {
  LoopOptions o;
  o.max_steps = max_steps;
  o.grad_accum = 1;
  o.grad_clip = 1.0;
  o.eval_every = 1000;
  o.eval_batches = 3;
  o.checkpoint_every = 1000;
  o.schedule = LrSchedule{0.05, 0.005, 5, max_steps};
  o.adamw = AdamWOptions{0.9, 0.95, 1e-8, 0.0};
  return o;
}

struct Recorder {
  std::vector<StepReport> steps;
  std::vector<EvalReport> evals;
  std::vector<std::pair<int64_t, std::filesystem::path>> checkpoints;
  TrainerCallbacks callbacks() {
    TrainerCallbacks c;
    c.on_step = [this](const StepReport& r) { steps.push_back(r); };
    c.on_eval = [this](const EvalReport& r) { evals.push_back(r); };
    c.on_checkpoint = [this](const CheckpointReport& r) { checkpoints.emplace_back(r.step, r.path); };
    return c;
  }
};

TEST(TrainerTest, LearnsAndCallsBackAtTheRightSteps) {
  test::TempDir dir;
  RegressionTask task;
  Recorder rec;
  LoopOptions o = options(50);
  o.eval_every = 10;
  o.checkpoint_every = 20;
  Trainer trainer(task, o, rec.callbacks(), dir / "ckpt");
  LoopResult result = trainer.run();

  EXPECT_EQ(result.outcome, RunOutcome::Finished);
  EXPECT_EQ(result.step, 50);
  EXPECT_EQ(trainer.step(), 50);
  ASSERT_EQ(rec.steps.size(), 50u);
  ASSERT_EQ(task.micro_losses.size(), 50u);
  for (int64_t i = 0; i < 50; ++i) {
    const StepReport& r = rec.steps[i];
    EXPECT_EQ(r.step, i + 1);
    EXPECT_EQ(r.tokens_seen, 16 * (i + 1));
    EXPECT_DOUBLE_EQ(r.lr, o.schedule.at(i));
    EXPECT_EQ(r.loss, task.micro_losses[i]);
    EXPECT_GT(r.grad_norm, 0.0);
  }
  double first = rec.steps.front().loss, last5 = 0;
  for (int64_t i = 45; i < 50; ++i) last5 += rec.steps[i].loss / 5;
  EXPECT_LT(last5, 0.2 * first) << "first " << first << ", last five " << last5;

  std::vector<int64_t> eval_steps;
  for (const auto& e : rec.evals) eval_steps.push_back(e.step);
  EXPECT_EQ(eval_steps, (std::vector<int64_t>{10, 20, 30, 40, 50}));
  EXPECT_EQ(task.validation_batches, (std::vector<int64_t>{3, 3, 3, 3, 3}));
  EXPECT_LT(rec.evals.back().val_loss, 0.2 * rec.evals.front().val_loss);
  EXPECT_EQ(rec.evals[1].tokens_seen, 16 * 20);
  ASSERT_EQ(rec.evals[0].samples.size(), 1u);
  EXPECT_EQ(rec.evals[0].samples[0].prompt, "prompt");
  EXPECT_EQ(result.last_val_loss, rec.evals.back().val_loss);
  EXPECT_EQ(task.micro_batches_in_eval_mode, 0);
  EXPECT_EQ(task.validations_in_training_mode, 0);

  ASSERT_EQ(rec.checkpoints.size(), 3u);
  EXPECT_EQ(rec.checkpoints[0], std::make_pair(int64_t{20}, dir / "ckpt" / "step-20"));
  EXPECT_EQ(rec.checkpoints[1], std::make_pair(int64_t{40}, dir / "ckpt" / "step-40"));
  EXPECT_EQ(rec.checkpoints[2], std::make_pair(int64_t{50}, dir / "ckpt" / "step-50"));
  EXPECT_EQ(test::entryNames(dir / "ckpt"), (std::vector<std::string>{"step-20", "step-40", "step-50"}));
  Json state = readJsonFile(dir / "ckpt" / "step-50" / "trainer_state.json");
  EXPECT_EQ(state.at("step"), 50);
  EXPECT_EQ(state.at("tokens_seen"), 800);
  EXPECT_EQ(state.at("last_val_loss").get<double>(), rec.evals.back().val_loss);
}

TEST(TrainerTest, FinalCheckpointIsWrittenOnceWhenItFallsOnTheCadence) {
  test::TempDir dir;
  RegressionTask task;
  Recorder rec;
  LoopOptions o = options(10);
  o.eval_every = 5;
  o.checkpoint_every = 5;
  Trainer trainer(task, o, rec.callbacks(), dir.path());
  EXPECT_EQ(trainer.run().outcome, RunOutcome::Finished);
  ASSERT_EQ(rec.checkpoints.size(), 2u);
  EXPECT_EQ(rec.checkpoints[0].first, 5);
  EXPECT_EQ(rec.checkpoints[1].first, 10);
  EXPECT_EQ(rec.evals.size(), 2u);
}

TEST(TrainerTest, GradientAccumulationAveragesMicroBatches) {
  // grad_accum 2 over batches of 16 must equal one step over the same 32 rows (dropout off).
  test::TempDir dir;
  RegressionTask accumulated(RegressionTaskOptions{.dropout = 0.0});
  RegressionTask whole(RegressionTaskOptions{.positions_per_micro = 2, .dropout = 0.0});
  Recorder rec_acc, rec_whole;
  LoopOptions o = options(6);
  o.grad_accum = 2;
  Trainer(accumulated, o, rec_acc.callbacks(), dir / "a").run();
  o.grad_accum = 1;
  Trainer(whole, o, rec_whole.callbacks(), dir / "b").run();

  ASSERT_EQ(rec_acc.steps.size(), 6u);
  EXPECT_EQ(accumulated.micro_losses.size(), 12u);
  EXPECT_EQ(accumulated.position(), 12);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(rec_acc.steps[i].tokens_seen, 2 * 16 * static_cast<int64_t>(i + 1));
    EXPECT_EQ(rec_acc.steps[i].tokens_seen, rec_whole.steps[i].tokens_seen);
    EXPECT_DOUBLE_EQ(rec_acc.steps[i].loss,
                     (accumulated.micro_losses[2 * i] + accumulated.micro_losses[2 * i + 1]) / 2);
    EXPECT_NEAR(rec_acc.steps[i].loss, rec_whole.steps[i].loss, 1e-5);
    EXPECT_NEAR(rec_acc.steps[i].grad_norm, rec_whole.steps[i].grad_norm, 1e-5 * rec_whole.steps[i].grad_norm);
  }
  auto a = accumulated.trainableParameters(), b = whole.trainableParameters();
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_LT((a[i].second - b[i].second).abs().max().item<double>(), 1e-5) << a[i].first;
  }
}

TEST(TrainerTest, NanLossFailsAndKeepsTheLastGoodCheckpoint) {
  test::TempDir dir;
  RegressionTask task(RegressionTaskOptions{.poison_micro = 6});  // the 7th step
  Recorder rec;
  LoopOptions o = options(20);
  o.checkpoint_every = 5;
  Trainer trainer(task, o, rec.callbacks(), dir / "ckpt");
  LoopResult result = trainer.run();

  EXPECT_EQ(result.outcome, RunOutcome::Failed);
  test::expectContains(result.reason, {"NaN", "step 7", "step-5", "training loss"});
  EXPECT_EQ(result.step, 6);
  EXPECT_EQ(rec.steps.size(), 6u);
  ASSERT_EQ(rec.checkpoints.size(), 1u);
  EXPECT_EQ(rec.checkpoints[0].first, 5);
  EXPECT_EQ(test::entryNames(dir / "ckpt"), std::vector<std::string>{"step-5"});
  Json state = readJsonFile(dir / "ckpt" / "step-5" / "trainer_state.json");
  EXPECT_EQ(state.at("step"), 5);
  EXPECT_TRUE(std::filesystem::exists(dir / "ckpt" / "step-5" / "model.safetensors"));
  EXPECT_TRUE(std::filesystem::exists(dir / "ckpt" / "step-5" / "optimizer.safetensors"));
  EXPECT_EQ(latestCheckpoint(dir / "ckpt"), dir / "ckpt" / "step-5");
}

TEST(TrainerTest, InfiniteLossBeforeAnyCheckpoint) {
  test::TempDir dir;
  // loss + inf: the loss is infinite while the gradients stay finite.
  RegressionTask task(
      RegressionTaskOptions{.poison_micro = 2, .poison = std::numeric_limits<double>::infinity(), .poison_adds = true});
  Recorder rec;
  Trainer trainer(task, options(20), rec.callbacks(), dir / "ckpt");
  LoopResult result = trainer.run();
  EXPECT_EQ(result.outcome, RunOutcome::Failed);
  EXPECT_EQ(result.reason,
            "the training loss became infinite at step 3; no checkpoint was written before it. "
            "Try a lower `lr` or a `grad-clip`.");
  EXPECT_EQ(rec.steps.size(), 2u);
  EXPECT_TRUE(rec.checkpoints.empty());
  EXPECT_TRUE(!std::filesystem::exists(dir / "ckpt") || test::entryNames(dir / "ckpt").empty());
}

// An infinite loss whose gradients are NaN (inf * 0 and inf - inf in the backward pass, as with any
// real overflow) is reported as infinite: the word describes the quantity the message names.
TEST(TrainerTest, InfiniteLossWithNanGradientsIsReportedAsInfinite) {
  test::TempDir dir;
  RegressionTask task(RegressionTaskOptions{.poison_micro = 2, .poison = std::numeric_limits<double>::infinity()});
  LoopResult result = Trainer(task, options(20), {}, dir.path()).run();
  EXPECT_EQ(result.outcome, RunOutcome::Failed);
  EXPECT_TRUE(std::isinf(task.micro_losses.back()));
  test::expectContains(result.reason, {"the training loss became infinite at step 3"});
}

TEST(TrainerTest, NanInOneAccumulatedMicroBatchFailsTheStep) {
  test::TempDir dir;
  RegressionTask task(RegressionTaskOptions{.poison_micro = 5});  // second micro-batch of step 3
  Recorder rec;
  LoopOptions o = options(10);
  o.grad_accum = 2;
  LoopResult result = Trainer(task, o, rec.callbacks(), dir.path()).run();
  EXPECT_EQ(result.outcome, RunOutcome::Failed);
  test::expectContains(result.reason, {"NaN", "step 3"});
  EXPECT_EQ(rec.steps.size(), 2u);
}

}  // namespace
}  // namespace temper
