#pragma once
/// The training loop, shared by every method: AdamW (flat, weight decay on 2-D weights only),
/// warmup + cosine schedule, gradient accumulation, global-norm clipping, periodic validation and
/// samples, atomic checkpoints, exact resume, clean stop on request, and a NaN/Inf guard.
/// Single-threaded: callbacks run on the caller's thread between steps.
#include <functional>

#include <string>
#include "core/train/checkpoint.h"

#include "core/train/compute_precision.h"
#include "core/train/lr_schedule.h"

namespace temper {

struct LoopOptions {
  int64_t max_steps = 1;
  int64_t grad_accum = 1;
  double grad_clip = 1.0;
  int64_t eval_every = 100;
  int64_t eval_batches = 10;
  int64_t checkpoint_every = 500;
  LrSchedule schedule;
  AdamWOptions adamw;
  ComputePrecision precision = ComputePrecision::Fp32;  ///< of the forward passes (compute_precision.h)
  std::string device = "cpu";                           ///< whose autocast `precision` turns on: cpu or cuda
};

struct StepReport {
  int64_t step = 0;  ///< optimizer steps completed, 1-based after the first step
  int64_t tokens_seen = 0;
  double wall_time_s = 0;
  double loss = 0;
  double lr = 0;
  double grad_norm = 0;
  double tokens_per_s = 0;
  std::map<std::string, double> metrics;  ///< the task's takeStepMetrics()
};

struct EvalReport {
  int64_t step = 0;
  int64_t tokens_seen = 0;
  double wall_time_s = 0;
  double val_loss = 0;
  std::map<std::string, double> metrics;  ///< the task's validationMetrics()
  std::vector<SampleText> samples;
};

/// A checkpoint just written (complete: its trainer_state.json exists).
struct CheckpointReport {
  int64_t step = 0;
  std::filesystem::path path;
  int64_t tokens_seen = 0;
  double last_val_loss = std::nan("");  ///< of the latest evaluation; NaN before the first
};

struct TrainerCallbacks {
  std::function<void(const StepReport&)> on_step;
  std::function<void(const EvalReport&)> on_eval;
  std::function<void(const CheckpointReport&)> on_checkpoint;
  /// Polled after every step; true stops the run cleanly with a checkpoint.
  std::function<bool()> should_stop;
};

enum class RunOutcome { Finished, Cancelled, Failed };

struct LoopResult {
  RunOutcome outcome = RunOutcome::Finished;
  std::string reason;
  int64_t step = 0;
  double last_val_loss = std::nan("");
};

class Trainer {
 public:
  /// `task` must outlive the trainer. Binds the task's parameters into the optimizer.
  Trainer(TrainingTask& task, LoopOptions options, TrainerCallbacks callbacks, std::filesystem::path checkpoints_dir);

  /// Continues from a checkpoint written by this loop.
  void resumeFrom(const std::filesystem::path& checkpoint_dir);
  int64_t step() const { return state_.step; }
  /// Runs until max_steps, a stop request or a non-finite loss. Checkpoint write failures
  /// (Error(Io)) propagate after the run is recorded as failed by the caller.
  LoopResult run();

 private:
  EvalReport evaluate();
  void checkpoint();

  TrainingTask& task_;
  LoopOptions options_;
  TrainerCallbacks callbacks_;
  std::filesystem::path checkpoints_dir_;
  FlatAdamW optimizer_;
  TrainerState state_;
  int64_t last_checkpoint_step_ = -1;
};

}  // namespace temper
