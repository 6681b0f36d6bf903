// `temper model inspect` and `temper export`.
#include <cstdio>

#include "app/cli.h"
#include "core/engine/export_command.h"
#include "core/engine/model_inspect_command.h"

namespace temper::cli {

void addModelInspectCommand(CLI::App& app, Action& action) {
  auto* model = app.add_subcommand("model", "model folders");
  model->require_subcommand(1);
  auto* inspect = model->add_subcommand("inspect",
                                        "family, shape, dtype, tokenizer and chat template of a folder "
                                        "(reads headers only)");
  auto dir = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  inspect->add_option("dir", *dir, "a Hugging Face model folder")->required();
  inspect->add_flag("--json", *json, "print JSON");
  inspect->callback([&action, dir, json] {
    action = [dir, json] {
      ModelInspection result = inspectModelFolder(*dir);
      if (*json) {
        std::printf("%s\n", result.toJson().dump().c_str());
      } else {
        std::fputs(result.toText().c_str(), stdout);
      }
      return 0;
    };
  });
}

void addExportCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand("export", "copy a run's model as a clean Hugging Face folder");
  auto request = std::make_shared<ExportRequest>();
  auto out = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  command->add_option("--run", request->run, "run id or a unique prefix")->required();
  command->add_option("--out", *out, "the folder to write (must be absent or empty)")->required();
  command->add_option("--checkpoint", request->checkpoint, "final or step-N (default: final, else the latest)");
  command->add_flag("--force", request->force, "replace a non-empty --out");
  command->add_flag("--json", *json, "print JSON");
  command->callback([&global, &action, request, out, json] {
    action = [&global, request, out, json] {
      request->workspace = global.workspace;
      request->out = *out;
      ExportResult result = exportRun(*request);
      if (*json) {
        std::printf("%s\n", result.toJson().dump().c_str());
      } else {
        std::printf("exported %s (%s) to %s: %zu files, %.1f MiB\n", result.run_id.c_str(),
                    result.source.filename().c_str(), result.out.c_str(), result.files.size(),
                    static_cast<double>(result.bytes) / (1 << 20));
      }
      return 0;
    };
  });
}

}  // namespace temper::cli
