#pragma once
/// From a validated train config to the method's TrainingTask: builds or loads the model, reads
/// and tokenizes the data, and says what the run record should show. Everything here happens
/// before the workspace is locked or a run is created, so a bad base folder or data file fails
/// without leaving anything behind.
#include <filesystem>
#include <memory>
#include <string>

#include "core/common/json_io.h"
#include "core/common/workspace_paths.h"
#include "core/engine/runtime.h"
#include "core/model/causal_lm.h"
#include "core/train/train_config.h"
#include "core/train/training_task.h"

namespace temper {

struct MethodSetup {
  std::unique_ptr<TrainingTask> task;
  CausalLm model;                ///< the model the task trains (for counts and the dry run)
  std::string base_description;  ///< "scratch (N parameters)" or the base folder
  std::string dataset;           ///< what the run history shows as its data
  Json model_config;             ///< the model's config.json (Hugging Face keys)
  Json data_summary;             ///< formats and counts (SFT: truncated / dropped records)
  int64_t trainable_parameters = 0;
  int64_t sequence_length = 0;   ///< longest input of a micro-batch (ctx)
  /// pretrain only: the dataset's tokenizer, copied into the run folder (resume reads it there).
  std::filesystem::path scratch_tokenizer;
};

/// `resume_dir` is the run folder when resuming (pretrain reads its tokenizer copy there).
MethodSetup setUpMethod(const TrainConfig& config, const RuntimeInfo& runtime, const WorkspacePaths& workspace,
                        const std::filesystem::path& resume_dir);

}  // namespace temper
