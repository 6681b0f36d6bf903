#pragma once
/// From a validated train config to the method's TrainingTask, through the method registry: the
/// base folder is inspected once here and handed to the method, which builds or loads the model,
/// reads and tokenizes the data, and says what the run record should show. Everything here happens
/// before the workspace is locked or a run is created, so a bad base folder or data file fails
/// without leaving anything behind.
#include "core/torch_api.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/common/json_io.h"
#include "core/common/workspace_paths.h"
#include "core/data/dataset_meta.h"
#include "core/methods/method_spec.h"
#include "core/model/causal_lm.h"
#include "core/model/hf_model.h"
#include "core/train/training_task.h"

namespace temper {

/// What a method's factory and dry-run shape receive.
struct MethodInputs {
  const TrainConfig& config;
  torch::Device device = torch::kCPU;
  WorkspacePaths workspace;
  std::filesystem::path resume_dir;  ///< the run folder when resuming, else empty
  /// The base folder, inspected once (config.json parsed, weight index open); empty for a method
  /// that starts from scratch. A classifier base has already been refused for methods that train
  /// a language model.
  std::optional<HfModelInfo> base;
  /// `data`'s meta.json when `data` is a prepared token folder, read once.
  std::optional<DatasetMeta> dataset;
};

struct MethodSetup {
  std::unique_ptr<TrainingTask> task;
  CausalLm model;                ///< the model the task trains (for counts and the dry run)
  std::string base_description;  ///< "scratch (N parameters)" or the base folder
  std::string dataset;           ///< what the run history shows as its data
  Json model_config;             ///< the model's config.json (Hugging Face keys)
  Json data_summary;             ///< formats and counts (SFT: truncated / dropped records)
  int64_t trainable_parameters = 0;
  /// A parameter-efficient kind trains: the base is frozen and never saved (quantize_base.h).
  bool trains_adapter = false;
  int64_t sequence_length = 0;  ///< longest input of a micro-batch (ctx)
  /// pretrain only: the dataset's tokenizer, copied into the run folder (resume reads it there).
  std::filesystem::path scratch_tokenizer;
};

/// The inputs for `config`: its base folder inspected (and refused when it is a classifier and
/// the method trains a language model). Throws Error(InvalidInput) naming the folder.
MethodInputs methodInputs(const TrainConfig& config, torch::Device device, const WorkspacePaths& workspace,
                          const std::filesystem::path& resume_dir = {});

/// Builds the task of `inputs.config.method` (registry) and counts what it trains.
MethodSetup setUpMethod(const MethodInputs& inputs);

/// The dry run's shape for `inputs.config.method`.
MethodShape methodShape(const MethodInputs& inputs);

/// The shape of the inspected base, everything trained: the dry-run shape of methods that start
/// from a base and train all of it.
MethodShape baseModelShape(const MethodInputs& inputs);

}  // namespace temper
