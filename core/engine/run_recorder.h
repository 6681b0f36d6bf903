#pragma once
/// Records a live run: every step, eval, sample and checkpoint goes to the event stream, to the
/// run's `events.jsonl` / `samples.jsonl`, and to the store. Metrics are buffered and written in one
/// transaction every couple of seconds (and at evals, checkpoints and the end), with a heartbeat,
/// so the store stays cheap to write and the studio can follow a run from the store alone.
#include <chrono>
#include <fstream>

#include "core/engine/console.h"
#include "core/store/store.h"
#include "core/train/trainer.h"

namespace temper {

class RunRecorder {
 public:
  RunRecorder(Store& store, Console& console, std::string run_id, std::filesystem::path run_dir, int64_t max_steps);

  void onStep(const StepReport& report);
  void onEval(const EvalReport& report);
  void onCheckpoint(const CheckpointReport& report);
  /// Writes buffered metrics now.
  void flush();
  /// Emits the end event, finishes the run in the store with the outcome's status.
  void finish(RunOutcome outcome, const std::string& reason, int64_t step);
  void emit(const Json& event);

 private:
  Store& store_;
  Console& console_;
  std::string run_id_;
  std::filesystem::path run_dir_;
  int64_t max_steps_;
  std::ofstream events_file_;
  std::ofstream samples_file_;
  std::vector<MetricPoint> pending_;
  std::chrono::steady_clock::time_point last_flush_;
  int64_t start_step_ = -1;
  double start_wall_s_ = 0;
};

}  // namespace temper
