#pragma once
/// A parameter-efficient adapter on a frozen base (docs/peft.md): what it trains, how it attaches
/// to and detaches from the loaded model, and how it is described on disk in PEFT's layout
/// (adapter_folder.h). LoRA/DoRA is lora.h; the other kinds implement the same interface, so
/// training, checkpoints, loading and chat see one thing.
#include "core/torch_api.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/common/json_io.h"

namespace temper {

class Adapter {
 public:
  virtual ~Adapter() = default;

  /// The PEFT kind as `temper train --peft` names it ("lora").
  virtual std::string kind() const = 0;
  /// Every tensor the adapter trains and saves, named as PEFT's adapter_model.safetensors names
  /// it (`base_model.model.<module>.lora_A.weight`, ...). Includes base tensors it trains in place
  /// (biases under `lora-bias`, `modules-to-save`).
  virtual std::vector<std::pair<std::string, torch::Tensor>> tensors() = 0;
  /// What adapter_model.safetensors holds, as PEFT names it: tensors() for every kind but prefix
  /// tuning with a projection, which trains an MLP and saves its output (as PEFT does). The
  /// trained tensors then go to temper_training.safetensors as well, for resume.
  virtual std::vector<std::pair<std::string, torch::Tensor>> peftTensors() { return tensors(); }
  /// Puts the adapter in the model's forward pass / takes it out again (the base is untouched
  /// after detach, also the base tensors it trains in place, restored from their saved values).
  virtual void attach() = 0;
  virtual void detach() = 0;
  virtual bool attached() const = 0;
  /// Dropout inside the adapter follows the task's training flag.
  virtual void setTraining(bool training) = 0;
  /// Copies tensors read from an adapter folder into this adapter (names as tensors() gives
  /// them). Every tensor must be there with its shape and none may be left over; `source` names
  /// the file in errors.
  virtual void loadTensors(const std::map<std::string, torch::Tensor>& values, const std::string& source) = 0;
  /// adapter_config.json's kind-specific keys (`peft_type`, `r`, `target_modules`, ...);
  /// adapter_folder.h adds the base, the task type and what every kind shares.
  virtual Json peftConfig() const = 0;
};

}  // namespace temper
