// `temper info`.
#include <cstdio>

#include "app/cli.h"
#include "core/engine/info_command.h"

namespace temper::cli {
namespace {

void printEngineInfo(bool json) {
  Json info = engineInfo();
  if (json) {
    std::printf("%s\n", info.dump().c_str());
    return;
  }
  std::printf("temper %s (LibTorch %s, SentencePiece %s, SQLite %s)\n", info["temper"].get<std::string>().c_str(),
              info["libtorch"].get<std::string>().c_str(), info["sentencepiece"].get<std::string>().c_str(),
              info["sqlite"].get<std::string>().c_str());
  std::printf("device: %s; %d CPU threads; %s\n", info["device"]["cuda_available"].get<bool>() ? "CUDA" : "CPU only",
              info["device"]["cpu_threads"].get<int>(), info["device"]["blas"].get<std::string>().c_str());
  const Json& cpu = info["device"]["cpu"];
  std::string features;
  for (const auto& f : cpu["features"]) features += (features.empty() ? "" : " ") + f.get<std::string>();
  std::printf("cpu: %s (%s family %d model %d): %s\n", cpu["model_name"].get<std::string>().c_str(),
              cpu["vendor"].get<std::string>().c_str(), cpu["family"].get<int>(), cpu["model"].get<int>(),
              features.c_str());
  const Json& core = info["device"]["blas_core"];
  if (!core["openblas_core"].is_null()) {
    std::printf("OpenBLAS kernels: %s (best for this CPU: %s; %s)\n", core["openblas_core"].get<std::string>().c_str(),
                core["best_core"].get<std::string>().c_str(), core["how"].get<std::string>().c_str());
  }
  if (!core["warning"].is_null()) std::printf("warning: %s\n", core["warning"].get<std::string>().c_str());
  std::printf("methods:\n");
  for (const auto& m : info["methods"]) {
    std::printf("  %-19s %s%s\n", m["name"].get<std::string>().c_str(), m["title"].get<std::string>().c_str(),
                m["available"].get<bool>() ? "" : (" (" + m["reason"].get<std::string>() + ")").c_str());
  }
}

}  // namespace

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
