#pragma once
/// What a method trains, seen from the loop. The loop (trainer.h) owns optimisation, schedule,
/// accumulation, clipping, evaluation cadence, checkpoints, cancel and the NaN guard; a method
/// (core/methods) says how a batch becomes a loss and how its model is saved. New methods plug in
/// here without touching the loop.
#include "core/torch_api.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/common/json_io.h"

namespace temper {

struct SampleText {
  std::string prompt;
  std::string text;
  /// What the method scored the text with (GRPO: {"reward": 1.5, "rewards/format": 1, ...});
  /// empty for methods that only generate.
  Json scores = Json::object();
};

class TrainingTask {
 public:
  virtual ~TrainingTask() = default;

  /// Parameters the optimizer updates (frozen ones are left out by the method).
  virtual std::vector<std::pair<std::string, torch::Tensor>> trainableParameters() = 0;
  /// A parameter's learning rate as a multiple of the schedule's (LoRA+ trains lora_B faster).
  virtual double learningRateScale(const std::string& /*name*/) const { return 1.0; }
  virtual void setTraining(bool training) = 0;
  /// Loss of the next micro-batch (drawn from the method's own data stream).
  virtual torch::Tensor nextMicroBatchLoss() = 0;
  /// Tokens the micro-batch last returned by nextMicroBatchLoss() fed the model (input positions,
  /// padding excluded): what `tokens_seen` and tokens/s count.
  virtual int64_t tokensPerMicroBatch() const = 0;
  /// Mean validation loss over `batches` batches, the same ones at every call.
  virtual double validationLoss(int64_t batches) = 0;
  /// The method's own measures from the last validationLoss() call (SFT: token accuracy;
  /// classify: accuracy and per-class counts), recorded next to val_loss. Names are snake_case.
  virtual std::map<std::string, double> validationMetrics() const { return {}; }
  /// The method's own measures of the micro-batches since the last call (GRPO: the rollouts' mean
  /// reward, KL, clip shares), taken by the loop after each optimizer step and recorded with it as
  /// `train_<name>`. A method averages over its micro-batches and starts afresh after the call.
  virtual std::map<std::string, double> takeStepMetrics() { return {}; }
  /// Generations for the method's fixed prompts (eval mode, no gradients).
  virtual std::vector<SampleText> samples() = 0;

  /// Data position and anything else the method needs to resume exactly.
  virtual Json dataState() const = 0;
  virtual void restoreDataState(const Json& state) = 0;
  /// Writes the model in its Hugging Face layout (config, weights, tokenizer) into `dir`.
  virtual void saveModel(const std::filesystem::path& dir) = 0;
  /// Loads weights written by saveModel into the live model (resume).
  virtual void loadModelWeights(const std::filesystem::path& dir) = 0;
};

}  // namespace temper
