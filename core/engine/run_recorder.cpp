#include "core/engine/run_recorder.h"

#include <cmath>
#include <cstdio>

#include "core/common/run_paths.h"
#include "core/engine/run_outcome.h"
#include "core/protocol/events.h"

namespace temper {
namespace {

constexpr auto kFlushInterval = std::chrono::seconds(2);

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

}  // namespace

RunRecorder::RunRecorder(Store& store, Console& console, std::string run_id, std::filesystem::path run_dir,
                         int64_t max_steps)
    : store_(store),
      console_(console),
      run_id_(std::move(run_id)),
      run_dir_(std::move(run_dir)),
      max_steps_(max_steps),
      events_file_(RunPaths{run_dir_}.events(), std::ios::app),
      samples_file_(RunPaths{run_dir_}.samples(), std::ios::app),
      last_flush_(std::chrono::steady_clock::now()) {}

void RunRecorder::emit(const Json& event) {
  console_.emit(event);
  events_file_ << event.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
  events_file_.flush();
}

void RunRecorder::onStep(const StepReport& r) {
  events::StepFields fields{r.step, max_steps_,  r.tokens_seen,  r.wall_time_s, r.loss,
                            r.lr,   r.grad_norm, r.tokens_per_s, r.metrics};
  emit(events::step(run_id_, fields));
  for (auto [name, value] :
       {std::pair{"train_loss", r.loss}, {"lr", r.lr}, {"grad_norm", r.grad_norm}, {"tokens_per_s", r.tokens_per_s}}) {
    pending_.push_back({r.step, r.tokens_seen, r.wall_time_s, name, value});
  }
  for (const auto& [name, value] : r.metrics) {
    pending_.push_back({r.step, r.tokens_seen, r.wall_time_s, "train_" + name, value});
  }
  if (start_step_ < 0) {
    // The ETA averages over the steps of this process (a resumed run starts late), evals included.
    start_step_ = r.step - 1;
    const double first_step_s = r.tokens_per_s > 0 ? static_cast<double>(r.tokens_seen) / r.step / r.tokens_per_s : 0;
    start_wall_s_ = r.wall_time_s - first_step_s;
  }
  const double per_step = (r.wall_time_s - start_wall_s_) / static_cast<double>(r.step - start_step_);
  console_.progress(static_cast<double>(r.step) / static_cast<double>(max_steps_),
                    "step " + std::to_string(r.step) + "/" + std::to_string(max_steps_) + " loss " + fixed(r.loss, 4) +
                        " " + fixed(r.tokens_per_s, 0) + " tok/s elapsed " + formatDuration(r.wall_time_s),
                    per_step * static_cast<double>(max_steps_ - r.step));
  if (std::chrono::steady_clock::now() - last_flush_ >= kFlushInterval) flush();
}

void RunRecorder::onEval(const EvalReport& r) {
  emit(events::eval(run_id_, r.step, r.tokens_seen, r.val_loss, r.metrics));
  pending_.push_back({r.step, r.tokens_seen, r.wall_time_s, "val_loss", r.val_loss});
  std::string measures;
  for (const auto& [name, value] : r.metrics) {
    pending_.push_back({r.step, r.tokens_seen, r.wall_time_s, "val_" + name, value});
    if (name.find('/') == std::string::npos) measures += ", " + name + " " + fixed(value, 4);
  }
  console_.say("step " + std::to_string(r.step) + ": validation loss " + fixed(r.val_loss, 4) + measures +
               " (elapsed " + formatDuration(r.wall_time_s) + ")");
  for (const auto& s : r.samples) {
    emit(events::sample(run_id_, r.step, s.prompt, s.text, s.scores));
    Json line = {{"step", r.step}, {"prompt", s.prompt}, {"text", s.text}};
    if (!s.scores.empty()) line["scores"] = s.scores;
    samples_file_ << line.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
    store_.addSample(run_id_, SampleRecord{r.step, s.prompt, s.text, 0,
                                           s.scores.dump(-1, ' ', false, Json::error_handler_t::replace)});
    console_.say("  sample: " + s.text);
  }
  samples_file_.flush();
  flush();
}

void RunRecorder::onCheckpoint(const CheckpointReport& r) {
  flush();
  store_.addCheckpoint(run_id_, CheckpointRecord{r.step, r.tokens_seen, r.path.string(), r.last_val_loss, 0});
  emit(events::checkpointSaved(run_id_, r.step, r.path.string()));
}

void RunRecorder::flush() {
  if (!pending_.empty()) {
    store_.appendMetrics(run_id_, pending_);
    pending_.clear();
  }
  store_.heartbeat(run_id_);
  last_flush_ = std::chrono::steady_clock::now();
}

void RunRecorder::finish(RunOutcome outcome, const std::string& reason, int64_t step) {
  console_.endProgress();
  flush();
  const std::string status(runStatusName(outcome));
  store_.finishRun(run_id_, status, outcome == RunOutcome::Finished ? "" : reason);
  emit(events::runEnded(run_id_, status, reason, step));
}

}  // namespace temper
