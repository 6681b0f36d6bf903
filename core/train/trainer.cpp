#include "core/train/trainer.h"

#include <chrono>
#include <cmath>

#include "core/common/error.h"

namespace temper {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

Trainer::Trainer(TrainingTask& task, LoopOptions options, TrainerCallbacks callbacks,
                 std::filesystem::path checkpoints_dir)
    : task_(task),
      options_(options),
      callbacks_(std::move(callbacks)),
      checkpoints_dir_(std::move(checkpoints_dir)),
      optimizer_(task.trainableParameters(), options.adamw,
                 [&task](const std::string& name) { return task.learningRateScale(name); }) {}

void Trainer::resumeFrom(const std::filesystem::path& checkpoint_dir) {
  state_ = loadCheckpoint(checkpoint_dir, task_, optimizer_);
  last_checkpoint_step_ = state_.step;
}

EvalReport Trainer::evaluate() {
  EvalReport report;
  report.step = state_.step;
  report.tokens_seen = state_.tokens_seen;
  report.wall_time_s = state_.wall_time_s;
  task_.setTraining(false);
  {
    AutocastScope autocast(options_.precision, options_.device);
    report.val_loss = task_.validationLoss(options_.eval_batches);
    report.metrics = task_.validationMetrics();
    report.samples = task_.samples();
  }
  task_.setTraining(true);
  state_.last_val_loss = report.val_loss;
  return report;
}

void Trainer::checkpoint() {
  if (last_checkpoint_step_ == state_.step) return;
  auto path = saveCheckpoint(checkpoints_dir_, task_, optimizer_, state_);
  last_checkpoint_step_ = state_.step;
  if (callbacks_.on_checkpoint) {
    callbacks_.on_checkpoint(CheckpointReport{state_.step, path, state_.tokens_seen, state_.last_val_loss});
  }
}

LoopResult Trainer::run() {
  LoopResult result;
  task_.setTraining(true);
  const double wall_offset = state_.wall_time_s;
  const auto started = Clock::now();

  while (state_.step < options_.max_steps) {
    const auto step_started = Clock::now();
    const double lr = options_.schedule.at(state_.step);
    optimizer_.zeroGrad();
    double loss_sum = 0;
    int64_t tokens_per_step = 0;
    for (int64_t micro = 0; micro < options_.grad_accum; ++micro) {
      torch::Tensor loss;
      {
        AutocastScope autocast(options_.precision,
                               options_.device);  // the forward pass only; backward follows its graph
        loss = task_.nextMicroBatchLoss();
      }
      tokens_per_step += task_.tokensPerMicroBatch();
      (loss / static_cast<double>(options_.grad_accum)).backward();
      loss_sum += loss.detach().item<double>();
    }
    const double loss = loss_sum / static_cast<double>(options_.grad_accum);
    const double grad_norm = optimizer_.clipGradNorm(options_.grad_clip);
    if (!std::isfinite(loss) || !std::isfinite(grad_norm)) {
      result.outcome = RunOutcome::Failed;
      const double bad_value = std::isfinite(loss) ? grad_norm : loss;  // the value the message names
      std::string reason = std::isfinite(loss) ? "the gradient norm" : "the training loss";
      reason += std::isnan(bad_value) ? " became NaN" : " became infinite";
      reason += " at step " + std::to_string(state_.step + 1);
      if (last_checkpoint_step_ >= 0) {
        reason += "; the last good checkpoint is step-" + std::to_string(last_checkpoint_step_);
      } else {
        reason += "; no checkpoint was written before it";
      }
      reason += ". Try a lower `lr` or a `grad-clip`.";
      result.reason = reason;
      result.step = state_.step;
      return result;
    }
    optimizer_.step(lr);
    ++state_.step;
    state_.tokens_seen += tokens_per_step;
    state_.wall_time_s = wall_offset + secondsSince(started);
    state_.data_state = task_.dataState();

    if (callbacks_.on_step) {
      StepReport report{state_.step,
                        state_.tokens_seen,
                        state_.wall_time_s,
                        loss,
                        lr,
                        grad_norm,
                        static_cast<double>(tokens_per_step) / secondsSince(step_started),
                        task_.takeStepMetrics()};
      callbacks_.on_step(report);
    } else {
      task_.takeStepMetrics();  // each step's measures are its own, reported or not
    }
    const bool last = state_.step == options_.max_steps;
    if (state_.step % options_.eval_every == 0 || last) {
      EvalReport report = evaluate();
      if (callbacks_.on_eval) callbacks_.on_eval(report);
    }
    if (state_.step % options_.checkpoint_every == 0 || last) checkpoint();
    if (!last && callbacks_.should_stop && callbacks_.should_stop()) {
      checkpoint();
      result.outcome = RunOutcome::Cancelled;
      result.reason = "stopped on request at step " + std::to_string(state_.step) +
                      "; resume with `temper train --resume <run id>`";
      break;
    }
  }
  result.step = state_.step;
  result.last_val_loss = state_.last_val_loss;
  return result;
}

}  // namespace temper
