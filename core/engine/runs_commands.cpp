#include "core/engine/runs_commands.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "core/common/error.h"
#include "core/common/json_io.h"
#include "core/common/workspace_paths.h"
#include "core/store/store.h"

namespace temper {
namespace {

std::string timeText(double unix_s) {
  if (unix_s <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(unix_s);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
  return buffer;
}

Json metricJson(const MetricPoint& m) {
  return Json{{"step", m.step}, {"tokens_seen", m.tokens_seen}, {"wall_time_s", m.wall_time_s}, {"value", m.value}};
}

Json runJson(const RunRecord& r, const std::map<std::string, MetricPoint>& last) {
  Json metrics = Json::object();
  for (const auto& [name, point] : last) metrics[name] = metricJson(point);
  Json config = r.config_json.empty() ? Json(nullptr) : Json::parse(r.config_json, nullptr, false);
  return Json{{"id", r.id},
              {"name", r.name},
              {"method", r.method},
              {"status", r.status},
              {"base_model", r.base_model},
              {"dataset", r.dataset},
              {"device", r.device},
              {"threads", r.threads},
              {"created_at", r.created_at},
              {"started_at", r.started_at},
              {"finished_at", r.finished_at},
              {"error", r.error_message},
              {"run_dir", r.run_dir},
              {"last_metrics", metrics},
              {"config", config},
              {"tags", r.tags},
              {"notes", r.notes}};
}

Store openExisting(const WorkspacePaths& workspace) {
  if (!std::filesystem::exists(workspace.database())) {
    throwConfigError("no experiment store at " + workspace.database().string() +
                     " (no runs yet; give --workspace or TEMPER_WORKSPACE to use another)");
  }
  return Store::openReadOnly(workspace.database());
}

std::string metricText(const std::map<std::string, MetricPoint>& last, const char* name) {
  auto it = last.find(name);
  if (it == last.end()) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", it->second.value);
  return buffer;
}

}  // namespace

void listRuns(const std::string& workspace_arg, bool json) {
  WorkspacePaths workspace = resolveWorkspace(workspace_arg);
  if (!std::filesystem::exists(workspace.database())) {
    // No store yet simply means no runs yet.
    std::printf(json ? "[]\n" : "(no runs in %s)\n", workspace.root.string().c_str());
    return;
  }
  Store store = openExisting(workspace);
  auto runs = store.listRuns();
  if (json) {
    Json out = Json::array();
    for (const auto& r : runs) out.push_back(runJson(r, store.lastMetrics(r.id)));
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("%-22s %-10s %-10s %8s %10s %10s  %-19s %s\n", "ID", "METHOD", "STATUS", "STEP", "TRAIN", "VAL",
              "CREATED", "NAME");
  for (const auto& r : runs) {
    auto last = store.lastMetrics(r.id);
    auto step = last.count("train_loss") ? std::to_string(last["train_loss"].step) : std::string("-");
    std::printf("%-22s %-10s %-10s %8s %10s %10s  %-19s %s\n", r.id.c_str(), r.method.c_str(), r.status.c_str(),
                step.c_str(), metricText(last, "train_loss").c_str(), metricText(last, "val_loss").c_str(),
                timeText(r.created_at).c_str(), r.name.c_str());
  }
  if (runs.empty()) std::printf("(no runs in %s)\n", workspace.root.string().c_str());
}

void showRun(const std::string& workspace_arg, const std::string& run_id, bool json) {
  WorkspacePaths workspace = resolveWorkspace(workspace_arg);
  Store store = openExisting(workspace);
  auto run = store.findRun(run_id);
  if (!run) throwConfigError("no run `" + run_id + "` in " + workspace.database().string());
  auto last = store.lastMetrics(run->id);
  Json out = runJson(*run, last);
  Json checkpoints = Json::array();
  for (const auto& c : store.checkpoints(run->id)) {
    checkpoints.push_back({{"step", c.step}, {"path", c.path}, {"tokens_seen", c.tokens_seen}});
  }
  out["checkpoints"] = checkpoints;
  out["final_model"] = (std::filesystem::path(run->run_dir) / "final").string();
  if (json) {
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("run      %s  (%s)\nmethod   %s\nstatus   %s%s\ndataset  %s\nmodel    %s\ndevice   %s, %d thread(s)\n",
              run->id.c_str(), run->name.c_str(), run->method.c_str(), run->status.c_str(),
              run->error_message.empty() ? "" : (": " + run->error_message).c_str(), run->dataset.c_str(),
              run->base_model.c_str(), run->device.c_str(), run->threads);
  std::printf("created  %s\nstarted  %s\nfinished %s\nfolder   %s\n", timeText(run->created_at).c_str(),
              timeText(run->started_at).c_str(), timeText(run->finished_at).c_str(), run->run_dir.c_str());
  for (const auto& [name, point] : last) {
    std::printf("last %-12s %.6g at step %lld\n", name.c_str(), point.value, static_cast<long long>(point.step));
  }
  for (const auto& c : checkpoints) {
    std::printf("checkpoint step %lld: %s\n", static_cast<long long>(c["step"].get<int64_t>()),
                c["path"].get<std::string>().c_str());
  }
  std::printf("config   %s\n", out["config"].contains("train") ? out["config"]["train"].dump().c_str() : "-");
}

}  // namespace temper
