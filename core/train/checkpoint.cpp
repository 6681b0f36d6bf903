#include "core/train/checkpoint.h"

#include <unistd.h>

#include <cmath>

#include "core/common/error.h"
#include "core/common/run_paths.h"
#include "core/tensor_io/torch_safetensors.h"

namespace temper {
namespace {

constexpr const char* kOptimizerFile = "optimizer.safetensors";
constexpr const char* kRngTensor = "rng.cpu";

// Writes into `<target>.tmp-<pid>` and renames it to `target`, replacing an older folder of that name.
template <typename WriteFn>
void writeFolderAtomically(const std::filesystem::path& target, WriteFn&& write) {
  std::filesystem::path tmp = target;
  tmp += ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  std::filesystem::remove_all(tmp, ec);
  try {
    std::filesystem::create_directories(tmp);
    write(tmp);
    syncDirectory(tmp);  // files are fsynced by their writers; their names are synced here
    if (std::filesystem::exists(target)) std::filesystem::remove_all(target);
    std::filesystem::rename(tmp, target);
    syncDirectory(target.parent_path());
  } catch (const std::filesystem::filesystem_error& e) {
    std::filesystem::remove_all(tmp, ec);
    throwIoError("cannot write " + target.string() + ": " + e.code().message());
  } catch (...) {
    std::filesystem::remove_all(tmp, ec);
    throw;
  }
}

}  // namespace

std::filesystem::path saveCheckpoint(const std::filesystem::path& checkpoints_dir, TrainingTask& task,
                                     const FlatAdamW& optimizer, const TrainerState& state) {
  std::filesystem::create_directories(checkpoints_dir);
  auto target = checkpoints_dir / ("step-" + std::to_string(state.step));
  writeFolderAtomically(target, [&](const std::filesystem::path& dir) {
    task.saveModel(dir);
    auto tensors = optimizer.stateTensors();
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    tensors.emplace_back(kRngTensor, generator.get_state());
    saveTensors(dir / kOptimizerFile, tensors, {{"producer", "temper"}});
    Json json = {{"format_version", 1},
                 {"step", state.step},
                 {"optimizer_steps", optimizer.stepCount()},
                 {"tokens_seen", state.tokens_seen},
                 {"wall_time_s", state.wall_time_s},
                 {"data_state", state.data_state}};
    json["last_val_loss"] = std::isnan(state.last_val_loss) ? Json(nullptr) : Json(state.last_val_loss);
    writeJsonFileAtomic(dir / kTrainerStateFile, json);
  });
  return target;
}

TrainerState loadCheckpoint(const std::filesystem::path& dir, TrainingTask& task, FlatAdamW& optimizer) {
  Json json = readJsonFile(dir / kTrainerStateFile);
  task.loadModelWeights(dir);
  auto file = SafetensorsFile::open(dir / kOptimizerFile);
  std::vector<std::pair<std::string, torch::Tensor>> moments;
  for (const auto& info : file->tensors()) {
    torch::Tensor value = tensorFromSafetensors(file, info).clone();
    if (info.name == kRngTensor) {
      at::Generator generator = at::detail::getDefaultCPUGenerator();
      generator.set_state(value);
    } else {
      moments.emplace_back(info.name, value);
    }
  }
  optimizer.loadStateTensors(moments, json.at("optimizer_steps").get<int64_t>());
  TrainerState state;
  state.step = json.at("step").get<int64_t>();
  state.tokens_seen = json.at("tokens_seen").get<int64_t>();
  state.wall_time_s = json.at("wall_time_s").get<double>();
  if (json.contains("last_val_loss") && json["last_val_loss"].is_number()) {
    state.last_val_loss = json["last_val_loss"].get<double>();
  }
  state.data_state = json.at("data_state");
  task.restoreDataState(state.data_state);
  return state;
}

std::optional<std::filesystem::path> latestCheckpoint(const std::filesystem::path& checkpoints_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(checkpoints_dir, ec)) return std::nullopt;
  std::optional<std::filesystem::path> best;
  int64_t best_step = -1;
  for (const auto& entry : std::filesystem::directory_iterator(checkpoints_dir)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with("step-") || name.find(".tmp") != std::string::npos) continue;
    if (!std::filesystem::exists(entry.path() / kTrainerStateFile)) continue;
    int64_t step = std::strtoll(name.c_str() + 5, nullptr, 10);
    if (step > best_step) {
      best_step = step;
      best = entry.path();
    }
  }
  return best;
}

void saveModelAtomically(TrainingTask& task, const std::filesystem::path& target) {
  std::filesystem::create_directories(target.parent_path());
  writeFolderAtomically(target, [&](const std::filesystem::path& dir) { task.saveModel(dir); });
}

}  // namespace temper
