#pragma once
/// One training method as the engine knows it: everything `temper train`, its validation, the dry
/// run, `temper info --json` and (through info) the studio's wizard need, in one value. A method is
/// one folder under core/methods plus one line in method_registry.cpp; docs/methods.md has the
/// recipe. Torch-free: the factory and the dry-run shape are plain function pointers whose
/// argument and result types are defined in method_setup.h.
#include <map>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/methods/train_config.h"
#include "core/model/model_shape.h"

namespace temper {

struct MethodInputs;
struct MethodSetup;

/// What a method starts from.
enum class BaseUse {
  None,                       ///< builds its model from scratch (pretrain)
  LanguageModel,              ///< a causal language model folder; a classifier folder is refused
  LanguageModelOrClassifier,  ///< also a *ForSequenceClassification folder, trained further (classify)
};

/// What the dry run estimates for a method: the model's shape and how much of it trains.
struct MethodShape {
  ModelShape model;
  int64_t trainable_parameters = -1;  ///< -1: every parameter
  int64_t recorded_blocks = -1;       ///< blocks autograd records through, from the last; -1: all
  int64_t unsaved_input_width = 0;    ///< frozen projections' inputs autograd does not keep (TrainShape)
  int64_t adapter_saved_width = 0;    ///< what bottleneck adapters keep, per token (TrainShape)
  /// A head that trains beside whatever else does (classify's label head), also under an adapter.
  int64_t head_parameters = 0;
  /// QLoRA (`base-quant`): parameters stored quantised and their bytes each (0: none).
  int64_t quantized_parameters = 0;
  double quantized_bytes_per_parameter = 0;
  /// QLoRA: the frozen embedding and head, stored in bf16 (CausalLmImpl::storeFrozenTables).
  int64_t half_parameters = 0;
  /// The language model's head does not train and the loss is the model's (TrainShape::frozen_head).
  bool frozen_head = false;
  /// Models held frozen beside the trained one: a reference copy (full weights), a reward model.
  int64_t frozen_model_parameters = 0;
};

struct MethodSpec {
  std::string name;     ///< the `method` value of `temper train`
  std::string title;    ///< English; the studio shows its own translation keyed by `name`
  std::string summary;  ///< one sentence: when to use it
  /// False for a method of the mission this engine cannot run yet (listed so people see what
  /// comes; `reason` says why). An unavailable method has no factory.
  bool available = true;
  std::string reason;
  BaseUse base = BaseUse::LanguageModel;
  /// Data formats it learns from, as `temper data inspect` names them ("text", "prepared",
  /// "prompt-completion", "alpaca", "messages", "text-label", "preference").
  std::vector<std::string> data_formats;
  /// The method-scoped keys of the shared table (train_config_keys.cpp) it takes. A key that no
  /// method lists applies to every method; a scoped key given to another method is refused.
  std::vector<std::string> keys;
  /// Keys only this method defines; they join `temper train --help` and `info`, are validated like
  /// the table's, and the method reads them from TrainConfig::values.
  std::vector<KeySpec> own_keys;
  /// Defaults that differ from the table's for this method (finetuning: small lr, ...).
  std::map<std::string, Json> defaults;
  /// What its validation reports beside val_loss (TrainingTask::validationMetrics names).
  std::vector<std::string> metrics;
  /// What is trained: the PEFT kinds it takes ("none": every weight; peft_keys.h lists the kinds).
  std::vector<std::string> peft = {"none"};

  /// Builds the TrainingTask: loads or creates the model, reads the data. Errors throw before any
  /// run is recorded.
  MethodSetup (*set_up)(const MethodInputs& inputs) = nullptr;
  /// The shape the memory estimate needs, from headers and metadata only (nothing loaded).
  MethodShape (*dry_run_shape)(const MethodInputs& inputs) = nullptr;
  /// Relations between its keys that single-key validation cannot see; throws Error(InvalidConfig).
  void (*validate)(const TrainConfig& config) = nullptr;

  bool needsBase() const { return base != BaseUse::None; }
  bool takesKey(const std::string& key) const;
};

}  // namespace temper
