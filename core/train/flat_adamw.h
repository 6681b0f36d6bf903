#pragma once
/// AdamW over parameters packed into two flat buffers (decayed 2-D weights, undecayed rest).
///
/// Why flat: the parameters (and their gradients) become views into one contiguous tensor per
/// group, so zeroing gradients, the global norm, clipping and the whole AdamW update are a handful
/// of large element-wise kernels that use every thread, instead of ~10 small kernels per parameter.
/// Semantics are exactly torch.optim.AdamW (decoupled decay `p -= lr * wd * p`, bias-corrected
/// moments, eps added after the square root).
#include "core/torch_api.h"

#include <functional>
#include <string>
#include <vector>

namespace temper {

struct AdamWOptions {
  double beta1 = 0.9;
  double beta2 = 0.95;
  double eps = 1e-8;
  double weight_decay = 0.1;
};

class FlatAdamW {
 public:
  /// Rebinds every parameter's storage (and gradient) into the flat buffers. Parameters with
  /// dim() >= 2 get weight decay. The module must not be moved to another device afterwards.
  /// `lr_scale` (optional) gives a parameter's learning rate as a multiple of the schedule's
  /// (LoRA+ trains lora_B faster); parameters of one scale share a buffer pair.
  FlatAdamW(const std::vector<std::pair<std::string, torch::Tensor>>& named_parameters, AdamWOptions options,
            const std::function<double(const std::string&)>& lr_scale = {});

  void zeroGrad();
  /// Global L2 norm of all gradients; scales them to `max_norm` when above it (0: no clipping).
  /// Returns the norm before clipping.
  double clipGradNorm(double max_norm);
  void step(double lr);

  int64_t stepCount() const { return step_count_; }
  int64_t parameterCount() const;

  /// Moments and step count, for checkpoints (names stable across runs).
  std::vector<std::pair<std::string, torch::Tensor>> stateTensors() const;
  void loadStateTensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors, int64_t step_count);

 private:
  struct Group {
    torch::Tensor params, grads, exp_avg, exp_avg_sq;
    double weight_decay = 0;
    double lr_scale = 1;
  };
  Group makeGroup(const std::vector<torch::Tensor>& members, double weight_decay, double lr_scale = 1);

  AdamWOptions options_;
  std::vector<Group> groups_;
  int64_t step_count_ = 0;
};

}  // namespace temper
