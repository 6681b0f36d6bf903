#pragma once
/// LoRA and DoRA with PEFT's semantics (peft/tuners/lora/layer.py, dora.py):
///   y = W x + b + s · B A dropout(x),   s = alpha / r   (rsLoRA: alpha / √r),
/// A (r, in) kaiming-uniform with a = √5, B (out, r) zeros, so an untrained adapter leaves the
/// model's outputs bit for bit. DoRA adds a magnitude vector m (out), initialised to the row norms
/// of W, and computes
///   y = W x + b + (m / ‖W + s B A‖ − 1) ⊙ W x + m / ‖W + s B A‖ ⊙ s B A x,
/// the norm detached from the gradient (DoRA §4.3). Weights are (out, in) here for every family;
/// GPT-2's Conv1D (fan_in_fan_out) is transposed on disk only, so A and B have PEFT's shapes.
#include <memory>
#include <string>
#include <vector>

#include "core/model/causal_lm.h"
#include "core/peft/adapter.h"
#include "core/peft/lora_options.h"
#include "core/peft/target_match.h"

namespace temper {

/// The LoRA part of one projection.
class LoraLinear final : public LinearAdapter {
 public:
  LoraLinear(torch::Tensor a, torch::Tensor b, torch::Tensor magnitude, double scaling, double dropout,
             const bool* training);
  torch::Tensor forward(const torch::Tensor& x, const AdaptableLinearImpl& layer) override;
  /// DoRA measures the column norms of the adapted weight on the full-precision base.
  bool readsBaseWeight() const override { return magnitude.defined(); }

  torch::Tensor a, b;       ///< lora_A.weight (r, in), lora_B.weight (out, r)
  torch::Tensor magnitude;  ///< DoRA's lora_magnitude_vector (out); undefined for plain LoRA

 private:
  double scaling_;
  double dropout_;
  const bool* training_;
};

class LoraAdapter final : public Adapter {
 public:
  /// LoRA on the projections of `model` that `options.targets` selects, on the model's device,
  /// attached. Every base parameter is frozen except the biases `options.bias` names and the
  /// `modules_to_save`, which train in place. Draws A from torch's global RNG (seed it first).
  /// Throws Error(InvalidConfig) for r < 1, a target or module that matches nothing.
  LoraAdapter(CausalLm model, LoraOptions options);
  /// The same from a target rule read from a folder (`target_modules` of adapter_config.json).
  LoraAdapter(CausalLm model, LoraOptions options, TargetSpec targets);
  ~LoraAdapter() override;

  std::string kind() const override { return "lora"; }
  std::vector<std::pair<std::string, torch::Tensor>> tensors() override;
  void attach() override;
  void detach() override;
  bool attached() const override { return attached_; }
  void setTraining(bool training) override { training_ = training; }
  Json peftConfig() const override;

  void loadTensors(const std::map<std::string, torch::Tensor>& values, const std::string& source) override;

  /// Folds the adapter into the base weights (W ← W + s B A; DoRA: W ← m / ‖W + s B A‖ ⊙ (W + s B A))
  /// and detaches it: the model is then a plain model of its family, with the in-place tensors
  /// (biases, modules to save) keeping their trained values. Throws Error(InvalidConfig), changing
  /// nothing, when a target's base is quantised (QLoRA): merge into the full-precision base instead.
  void mergeIntoBase();

  const LoraOptions& options() const { return options_; }
  /// Module paths of the targeted projections.
  std::vector<std::string> targetNames() const;

 private:
  struct Target {
    std::string name;
    AdaptableLinear layer{nullptr};
    std::shared_ptr<LoraLinear> lora;
  };
  /// A base tensor the adapter trains in place (PEFT saves it under the base's own name).
  struct InPlace {
    std::string name;      ///< PEFT key: base_model.model.<hf parameter path>
    torch::Tensor target;  ///< the base parameter
    torch::Tensor value;   ///< the adapter's value: `target` itself while training, else loaded
    torch::Tensor saved;   ///< the base's own value while a loaded adapter is attached
  };

  void build(const TargetSpec& spec);

  CausalLm model_;
  LoraOptions options_;
  Json target_modules_;
  bool fan_in_fan_out_ = false;
  std::vector<Target> targets_;
  std::vector<InPlace> in_place_;
  bool attached_ = false;
  bool training_ = false;
};

}  // namespace temper
