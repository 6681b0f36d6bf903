#pragma once
/// The engine's event protocol: one JSON object per line on stdout, `"v": 1`, every event with its
/// `type`, the `run_id` (empty for jobs that are not runs) and a unix time `t`. The schema is in
/// docs/events.md; the studio parses exactly these. Builders only: no I/O here.
#include <map>
#include <string>

#include "core/common/json_io.h"

namespace temper::events {

inline constexpr int kProtocolVersion = 1;

Json make(const std::string& type, const std::string& run_id);

struct StepFields {
  int64_t step = 0;
  int64_t max_steps = 0;
  int64_t tokens_seen = 0;
  double wall_time_s = 0;
  double loss = 0;
  double lr = 0;
  double grad_norm = 0;
  double tokens_per_s = 0;
  std::map<std::string, double> metrics;  ///< the method's own training measures; omitted when empty
};

/// `data`: what the method made of its data (format, example counts, truncated / dropped records).
Json runStarted(const std::string& run_id, const Json& config, const Json& environment, const std::string& run_dir,
                bool resumed, int64_t start_step, const Json& data = Json());
Json step(const std::string& run_id, const StepFields& fields);
/// `metrics`: the method's own validation measures (e.g. {"accuracy": 0.91}); omitted when empty.
Json eval(const std::string& run_id, int64_t step, int64_t tokens_seen, double val_loss,
          const std::map<std::string, double>& metrics = {});
Json checkpointSaved(const std::string& run_id, int64_t step, const std::string& path);
/// `scores`: what the method scored the text with (GRPO's reward and its parts); omitted when empty.
Json sample(const std::string& run_id, int64_t step, const std::string& prompt, const std::string& text,
            const Json& scores = Json::object());
/// status: "finished", "failed" or "cancelled"; reason is a sentence for people.
Json runEnded(const std::string& run_id, const std::string& status, const std::string& reason, int64_t step);
Json log(const std::string& run_id, const std::string& level, const std::string& message);
/// The final answer of a one-shot command (tokenizer train, data prepare, eval, ...).
Json result(const std::string& command, const Json& payload);
Json error(const std::string& run_id, const std::string& kind, const std::string& message);

}  // namespace temper::events
