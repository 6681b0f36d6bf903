// `temper model inspect` and `temper export`.
#include <cstdio>
#include <string>

#include "app/cli.h"
#include "core/engine/export_command.h"
#include "core/engine/model_inspect_command.h"
#include "core/peft/adapter_folder.h"

namespace temper::cli {
namespace {

std::string byteText(uint64_t bytes) {
  char buffer[32];
  if (bytes >= (uint64_t{1} << 30)) {
    std::snprintf(buffer, sizeof buffer, "%.2f GiB", static_cast<double>(bytes) / (1 << 30));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  }
  return buffer;
}

/// A short table for people.
std::string inspectionText(const ModelInspection& m) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer,
                "family          %s (%s, model_type %s)\n"
                "parameters      %lld (%s)\n"
                "layers          %lld\nhidden          %lld\nheads           %lld (kv heads %lld, head dim %lld)\n"
                "mlp width       %lld\ncontext         %lld\nvocabulary      %lld%s\n"
                "tokenizer       %s\nchat template   %s\n",
                m.family.c_str(), m.architecture.c_str(), m.model_type.c_str(), static_cast<long long>(m.parameters),
                m.dtype.c_str(), static_cast<long long>(m.shape.layers), static_cast<long long>(m.shape.hidden),
                static_cast<long long>(m.shape.heads), static_cast<long long>(m.shape.kvHeads()),
                static_cast<long long>(m.shape.headDim()), static_cast<long long>(m.shape.mlpWidth()),
                static_cast<long long>(m.shape.ctx), static_cast<long long>(m.shape.vocab),
                m.shape.tied ? " (head tied to the embedding)" : "", m.tokenizer.c_str(), m.chat_template.c_str());
  std::string text = buffer;
  if (m.task == "sequence-classification") {
    text += "labels          ";
    for (size_t i = 0; i < m.labels.size(); ++i) text += (i ? ", " : "") + m.labels[i];
    text += "\n";
  }
  text += "files           ";
  for (size_t i = 0; i < m.files.size(); ++i) text += (i ? ", " : "") + m.files[i];
  text += " (" + byteText(m.bytes) + ")\n";
  return text;
}

std::string adapterText(const AdapterInspection& a) {
  std::string text = "adapter         " + a.kind + " (" + a.peft_type + ", " + a.task_type + ")\n";
  text += "base            " + a.base + (a.base_on_disk ? "" : " (not a folder here)") + "\n";
  if (!a.targets.is_null()) {
    text += "targets         " + (a.targets.is_string() ? a.targets.get<std::string>() : a.targets.dump()) + "\n";
  }
  for (const auto& [key, value] : a.settings.items()) {
    text += key + std::string(key.size() < 16 ? 16 - key.size() : 1, ' ') + value.dump() + "\n";
  }
  text += "trainable       " + std::to_string(a.trainable_parameters) + " parameters (" + byteText(a.bytes) + ")\n";
  return text;
}

}  // namespace

void addModelInspectCommand(CLI::App& app, Action& action) {
  auto* model = app.add_subcommand("model", "model folders");
  model->require_subcommand(1);
  auto* inspect = model->add_subcommand("inspect",
                                        "family, shape, dtype, tokenizer and chat template of a folder "
                                        "(reads headers only)");
  auto dir = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  inspect->add_option("dir", *dir, "a Hugging Face model folder, or a PEFT adapter folder")->required();
  inspect->add_flag("--json", *json, "print JSON");
  inspect->callback([&action, dir, json] {
    action = [dir, json] {
      if (isAdapterFolder(*dir)) {
        const AdapterInspection adapter = inspectAdapter(*dir);
        if (*json) {
          std::printf("%s\n", adapter.toJson().dump().c_str());
        } else {
          std::fputs(adapterText(adapter).c_str(), stdout);
        }
        return 0;
      }
      ModelInspection result = inspectModelFolder(*dir);
      if (*json) {
        std::printf("%s\n", result.toJson().dump().c_str());
      } else {
        std::fputs(inspectionText(result).c_str(), stdout);
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
  command->add_flag("--merge", request->merge,
                    "a LoRA run: fold the adapter into its base and write a plain model folder of the base's family");
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
