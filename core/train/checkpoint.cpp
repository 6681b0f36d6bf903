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
// One state per CUDA device ("rng.cuda.0", ...): dropout on the GPU draws from those generators, so
// without them a resumed CUDA run would not repeat the uninterrupted one.
constexpr const char* kCudaRngPrefix = "rng.cuda.";

std::vector<std::pair<std::string, torch::Tensor>> rngStates() {
  std::vector<std::pair<std::string, torch::Tensor>> states;
  states.emplace_back(kRngTensor, at::detail::getDefaultCPUGenerator().get_state());
  if (torch::cuda::is_available()) {
    for (int64_t i = 0; i < static_cast<int64_t>(torch::cuda::device_count()); ++i) {
      const auto device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(i));
      states.emplace_back(kCudaRngPrefix + std::to_string(i), at::globalContext().defaultGenerator(device).get_state());
    }
  }
  return states;
}

/// Restores the generator a tensor of the optimizer file names; false for other tensors. A CUDA state
/// with no such device here is skipped: resuming on another machine cannot be exact anyway.
bool restoreRngState(const std::string& name, const torch::Tensor& state) {
  if (name == kRngTensor) {
    at::Generator cpu = at::detail::getDefaultCPUGenerator();  // a handle: copies share the state
    cpu.set_state(state);
    return true;
  }
  if (name.rfind(kCudaRngPrefix, 0) != 0) return false;
  const auto index = std::stoul(name.substr(std::char_traits<char>::length(kCudaRngPrefix)));
  if (torch::cuda::is_available() && index < static_cast<size_t>(torch::cuda::device_count())) {
    at::Generator cuda =
        at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index)));
    cuda.set_state(state);
  }
  return true;
}

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
    for (auto& rng : rngStates()) tensors.push_back(std::move(rng));
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
    if (!restoreRngState(info.name, value)) moments.emplace_back(info.name, value);
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
