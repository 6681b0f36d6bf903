#include "core/engine/runs_commands.h"

#include "core/common/error.h"
#include "core/common/run_paths.h"
#include "core/common/workspace_paths.h"
#include "core/store/store.h"

namespace temper {
namespace {

Json metricJson(const MetricPoint& m) {
  return Json{{"step", m.step}, {"tokens_seen", m.tokens_seen}, {"wall_time_s", m.wall_time_s}, {"value", m.value}};
}

Json listingJson(const RunListing& listing) {
  const RunRecord& r = listing.run;
  Json metrics = Json::object();
  for (const auto& [name, point] : listing.last_metrics) metrics[name] = metricJson(point);
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

}  // namespace

Json RunsList::toJson() const {
  Json out = Json::array();
  for (const auto& listing : runs) out.push_back(listingJson(listing));
  return out;
}

Json RunDetails::toJson() const {
  Json out = listingJson(listing);
  Json list = Json::array();
  for (const auto& c : checkpoints)
    list.push_back({{"step", c.step}, {"path", c.path}, {"tokens_seen", c.tokens_seen}});
  out["checkpoints"] = list;
  out["final_model"] = final_model.string();
  return out;
}

RunsList listRuns(const std::string& workspace_arg) {
  const WorkspacePaths workspace = resolveWorkspace(workspace_arg);
  RunsList list;
  list.workspace = workspace.root;
  if (!std::filesystem::exists(workspace.database())) return list;  // no store yet: no runs yet
  Store store = openExisting(workspace);
  for (auto& run : store.listRuns()) {
    auto last = store.lastMetrics(run.id);
    list.runs.push_back(RunListing{std::move(run), std::move(last)});
  }
  return list;
}

RunDetails showRun(const std::string& workspace_arg, const std::string& run_id) {
  const WorkspacePaths workspace = resolveWorkspace(workspace_arg);
  Store store = openExisting(workspace);
  auto run = store.findRun(run_id);
  if (!run) throwConfigError("no run `" + run_id + "` in " + workspace.database().string());
  RunDetails details;
  details.listing.last_metrics = store.lastMetrics(run->id);
  details.checkpoints = store.checkpoints(run->id);
  details.final_model = RunPaths{run->run_dir}.finalModel();
  details.listing.run = std::move(*run);
  return details;
}

}  // namespace temper
