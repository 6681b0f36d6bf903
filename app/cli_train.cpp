// `temper train`: every key of the train config is also a `--KEY VALUE` flag, generated from the
// same table (core/methods/train_config_keys.cpp) that validates config files.
#include <cstdio>

#include "app/cli.h"
#include "core/common/run_paths.h"
#include "core/engine/console.h"
#include "core/engine/train_command.h"
#include "core/methods/train_config.h"

namespace temper::cli {

void addTrainCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* train = app.add_subcommand("train", "train a model (or resume a run)");
  auto request = std::make_shared<TrainRequest>();
  auto config_file = std::make_shared<std::string>();
  auto values = std::make_shared<std::map<std::string, std::string>>();
  auto dry_run = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  train->add_option("config", *config_file, "a JSON file of train keys (flags override it)");
  train->add_flag("--dry-run", *dry_run,
                  "print the parameter and memory estimate (weights, gradients, optimizer, activations) and stop");
  train->add_flag("--json", *json, "with --dry-run: as one JSON object");
  train->add_option("--resume", request->resume_run,
                    "continue a run from its last checkpoint (flags may extend it, e.g. --max-steps)");
  for (const auto& spec : trainKeySpecs()) {
    std::string help = spec.help;
    if (!spec.default_value.is_null()) help += " [default: " + spec.default_value.dump() + "]";
    // Values are kept as text: validation (ranges, choices, relations) happens once, together with
    // the config file, in resolveTrainConfig.
    // A flag given twice takes its last value, so scripts can append overrides.
    train
        ->add_option_function<std::string>(
            "--" + spec.key, [values, key = spec.key](const std::string& v) { (*values)[key] = v; }, help)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  train->callback([&global, &action, request, config_file, values, dry_run, json] {
    action = [&global, request, config_file, values, dry_run, json] {
      request->flags = *values;
      if (!config_file->empty()) request->config_file = std::filesystem::path(*config_file);
      request->workspace = global.workspace;
      request->events = global.events;
      if (*dry_run) {
        const Json estimate = dryRunTrain(*request);
        std::printf("%s\n", *json ? estimate.dump().c_str() : estimate.dump(2).c_str());
        return 0;
      }
      const TrainResult result = runTrain(*request);
      Console console(global.events);
      switch (result.outcome) {
        case RunOutcome::Finished:
          console.say("run " + result.run_id + " finished at step " + std::to_string(result.step) + "; model in " +
                      RunPaths{result.run_dir}.finalModel().string() + "; recorded in " + result.database.string());
          break;
        case RunOutcome::Cancelled:
          console.say("run " + result.run_id + " " + result.reason);
          break;
        case RunOutcome::Failed:
          console.say("error: run " + result.run_id + " failed: " + result.reason);
          break;
      }
      return result.exitCode();
    };
  });
}

}  // namespace temper::cli
