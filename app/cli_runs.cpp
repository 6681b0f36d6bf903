// `temper runs list` and `temper runs show`: the history as a table, a record, or JSON.
#include <cstdio>

#include "app/cli.h"
#include "core/engine/runs_commands.h"

namespace temper::cli {
namespace {

std::string metricText(const std::map<std::string, MetricPoint>& last, const char* name) {
  auto it = last.find(name);
  if (it == last.end()) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", it->second.value);
  return buffer;
}

void printRunsTable(const RunsList& list) {
  if (list.runs.empty()) {
    std::printf("(no runs in %s)\n", list.workspace.string().c_str());
    return;
  }
  std::printf("%-22s %-10s %-10s %8s %10s %10s  %-19s %s\n", "ID", "METHOD", "STATUS", "STEP", "TRAIN", "VAL",
              "CREATED", "NAME");
  for (const auto& [r, last] : list.runs) {
    auto loss = last.find("train_loss");
    auto step = loss != last.end() ? std::to_string(loss->second.step) : std::string("-");
    std::printf("%-22s %-10s %-10s %8s %10s %10s  %-19s %s\n", r.id.c_str(), r.method.c_str(), r.status.c_str(),
                step.c_str(), metricText(last, "train_loss").c_str(), metricText(last, "val_loss").c_str(),
                localTimeText(r.created_at).c_str(), r.name.c_str());
  }
}

void printRunDetails(const RunDetails& details) {
  const RunRecord& run = details.listing.run;
  std::printf("run      %s  (%s)\nmethod   %s\nstatus   %s%s\ndataset  %s\nmodel    %s\ndevice   %s, %d thread(s)\n",
              run.id.c_str(), run.name.c_str(), run.method.c_str(), run.status.c_str(),
              run.error_message.empty() ? "" : (": " + run.error_message).c_str(), run.dataset.c_str(),
              run.base_model.c_str(), run.device.c_str(), run.threads);
  std::printf("created  %s\nstarted  %s\nfinished %s\nfolder   %s\n", localTimeText(run.created_at).c_str(),
              localTimeText(run.started_at).c_str(), localTimeText(run.finished_at).c_str(), run.run_dir.c_str());
  for (const auto& [name, point] : details.listing.last_metrics) {
    std::printf("last %-12s %.6g at step %lld\n", name.c_str(), point.value, static_cast<long long>(point.step));
  }
  for (const auto& c : details.checkpoints) {
    std::printf("checkpoint step %lld: %s\n", static_cast<long long>(c.step), c.path.c_str());
  }
  const Json config = details.toJson()["config"];
  std::printf("config   %s\n", config.is_object() && config.contains("train") ? config["train"].dump().c_str() : "-");
}

}  // namespace

void addRunsCommands(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* runs = app.add_subcommand("runs", "the experiment history");
  runs->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  auto* list = runs->add_subcommand("list", "all runs, newest first");
  list->add_flag("--json", *json, "as JSON");
  list->callback([&global, &action, json] {
    action = [&global, json] {
      const RunsList runs_list = listRuns(global.workspace);
      if (*json) {
        std::printf("%s\n", runs_list.toJson().dump(2).c_str());
      } else {
        printRunsTable(runs_list);
      }
      return 0;
    };
  });
  auto* show = runs->add_subcommand("show", "one run: config, status, times, last metrics, paths");
  auto id = std::make_shared<std::string>();
  show->add_option("id", *id, "run id or a unique prefix")->required();
  show->add_flag("--json", *json, "as JSON");
  show->callback([&global, &action, id, json] {
    action = [&global, id, json] {
      const RunDetails details = showRun(global.workspace, *id);
      if (*json) {
        std::printf("%s\n", details.toJson().dump(2).c_str());
      } else {
        printRunDetails(details);
      }
      return 0;
    };
  });
}

}  // namespace temper::cli
