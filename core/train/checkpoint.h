#pragma once
/// Checkpoints: the model in its Hugging Face layout plus everything needed to resume exactly
/// (optimizer moments, step, schedule position, RNG, data position). Written into a temporary
/// folder beside the target and renamed into place, so a crash or a full disk never leaves a
/// half-written `step-N/`. Nothing is pickled: tensors are safetensors, the rest JSON.
#include <filesystem>
#include <optional>

#include "core/train/flat_adamw.h"
#include "core/train/training_task.h"

namespace temper {

struct TrainerState {
  int64_t step = 0;  ///< optimizer steps completed
  int64_t tokens_seen = 0;
  double wall_time_s = 0;
  double last_val_loss = std::nan("");
  Json data_state;
};

/// `checkpoints_dir/step-N`. Throws Error(Io) naming the folder (e.g. disk full); then nothing
/// under the final name has changed and the temporary folder is removed.
std::filesystem::path saveCheckpoint(const std::filesystem::path& checkpoints_dir, TrainingTask& task,
                                     const FlatAdamW& optimizer, const TrainerState& state);

/// Restores model, optimizer, RNG and data position; returns the trainer state.
TrainerState loadCheckpoint(const std::filesystem::path& checkpoint_dir, TrainingTask& task, FlatAdamW& optimizer);

/// The highest `step-N` folder that is complete (has trainer_state.json), if any.
std::optional<std::filesystem::path> latestCheckpoint(const std::filesystem::path& checkpoints_dir);

/// Writes a model folder atomically (`final/`): temp folder, then rename.
void saveModelAtomically(TrainingTask& task, const std::filesystem::path& target);

}  // namespace temper
