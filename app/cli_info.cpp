// `temper info`.
#include "app/cli.h"
#include "core/engine/info_command.h"

namespace temper::cli {

void addInfoCommand(CLI::App& app, Action& action) {
  auto* info = app.add_subcommand("info", "versions, device, methods and train keys of this engine");
  auto json = std::make_shared<bool>(false);
  info->add_flag("--json", *json, "as one JSON object (what the studio reads)");
  info->callback([&action, json] {
    action = [json] {
      printEngineInfo(*json);
      return 0;
    };
  });
}

}  // namespace temper::cli
