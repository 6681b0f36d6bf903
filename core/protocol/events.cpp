#include "core/protocol/events.h"

#include <chrono>

namespace temper::events {

Json make(const std::string& type, const std::string& run_id) {
  double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return Json{{"v", kProtocolVersion}, {"type", type}, {"run_id", run_id}, {"t", now}};
}

Json runStarted(const std::string& run_id, const Json& config, const Json& environment, const std::string& run_dir,
                bool resumed, int64_t start_step, const Json& data) {
  Json e = make("run_started", run_id);
  if (!data.is_null()) e["data"] = data;
  e["config"] = config;
  e["environment"] = environment;
  e["run_dir"] = run_dir;
  e["resumed"] = resumed;
  e["start_step"] = start_step;
  return e;
}

Json step(const std::string& run_id, const StepFields& f) {
  Json e = make("step", run_id);
  e["step"] = f.step;
  e["max_steps"] = f.max_steps;
  e["tokens_seen"] = f.tokens_seen;
  e["wall_time_s"] = f.wall_time_s;
  e["loss"] = f.loss;
  e["lr"] = f.lr;
  e["grad_norm"] = f.grad_norm;
  e["tokens_per_s"] = f.tokens_per_s;
  if (!f.metrics.empty()) e["metrics"] = f.metrics;
  return e;
}

Json eval(const std::string& run_id, int64_t step, int64_t tokens_seen, double val_loss,
          const std::map<std::string, double>& metrics) {
  Json e = make("eval", run_id);
  e["step"] = step;
  e["tokens_seen"] = tokens_seen;
  e["val_loss"] = val_loss;
  if (!metrics.empty()) e["metrics"] = metrics;
  return e;
}

Json checkpointSaved(const std::string& run_id, int64_t step, const std::string& path) {
  Json e = make("checkpoint_saved", run_id);
  e["step"] = step;
  e["path"] = path;
  return e;
}

Json sample(const std::string& run_id, int64_t step, const std::string& prompt, const std::string& text,
            const Json& scores) {
  Json e = make("sample", run_id);
  e["step"] = step;
  e["prompt"] = prompt;
  e["text"] = text;
  if (scores.is_object() && !scores.empty()) e["scores"] = scores;
  return e;
}

Json runEnded(const std::string& run_id, const std::string& status, const std::string& reason, int64_t step) {
  Json e = make("run_" + status, run_id);
  e["status"] = status;
  e["reason"] = reason;
  e["step"] = step;
  return e;
}

Json log(const std::string& run_id, const std::string& level, const std::string& message) {
  Json e = make("log", run_id);
  e["level"] = level;
  e["message"] = message;
  return e;
}

Json result(const std::string& command, const Json& payload) {
  Json e = make("result", "");
  e["command"] = command;
  e["result"] = payload;
  return e;
}

Json error(const std::string& run_id, const std::string& kind, const std::string& message) {
  Json e = make("error", run_id);
  e["kind"] = kind;
  e["message"] = message;
  return e;
}

}  // namespace temper::events
