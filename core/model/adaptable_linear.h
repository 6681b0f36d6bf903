#pragma once
/// The projections of every family (q/k/v/o, c_attn, the MLP's) are AdaptableLinear: a plain
/// torch Linear (same parameters, same names, same loading) that a parameter-efficient method can
/// take over without the family knowing. LoRA and DoRA (core/peft/lora.h) attach a LinearAdapter
/// to the layers they target; the layer then asks the adapter for its output, given its frozen
/// weight and bias. Detaching restores the plain forward, so one loaded base serves several
/// adapters in turn (chat's attach/detach) and never copies its weights.
#include <torch/torch.h>

#include <memory>
#include <string>

#include "core/model/linear_projection.h"

namespace temper {

/// What a PEFT method puts in place of a Linear's forward while it is attached.
class LinearAdapter {
 public:
  virtual ~LinearAdapter() = default;
  /// The layer's output for x: the frozen `weight` (out, in) and `bias` (out; may be undefined)
  /// plus whatever the adapter adds.
  virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) = 0;
};

class AdaptableLinearImpl : public torch::nn::LinearImpl {
 public:
  using torch::nn::LinearImpl::LinearImpl;

  void attach(std::shared_ptr<LinearAdapter> adapter) { adapter_ = std::move(adapter); }
  void detach() { adapter_.reset(); }
  LinearAdapter* adapter() const { return adapter_.get(); }

 private:
  std::shared_ptr<LinearAdapter> adapter_;
};
TORCH_MODULE(AdaptableLinear);

inline torch::Tensor applyLinear(const AdaptableLinear& layer, const torch::Tensor& x) {
  if (LinearAdapter* adapter = layer->adapter()) return adapter->forward(x, layer->weight, layer->bias);
  return projectRows(x, layer->weight, layer->bias);
}

inline AdaptableLinear makeAdaptableLinear(int64_t in, int64_t out, bool bias) {
  return AdaptableLinear(torch::nn::LinearOptions(in, out).bias(bias));
}

/// What a projection does in its block; LoRA's target presets are sets of these.
enum class LinearRole {
  Query,
  Key,
  Value,
  QueryKeyValue,  ///< a fused q|k|v projection (GPT-2's c_attn)
  AttentionOutput,
  MlpUp,  ///< the MLP's input projection (c_fc, up_proj)
  MlpGate,
  MlpDown,
};

/// The role's short name in JSON (`temper model inspect`'s modules): q, k, v, qkv, o, mlp-up, ...
inline const char* linearRoleName(LinearRole role) {
  switch (role) {
    case LinearRole::Query:
      return "q";
    case LinearRole::Key:
      return "k";
    case LinearRole::Value:
      return "v";
    case LinearRole::QueryKeyValue:
      return "qkv";
    case LinearRole::AttentionOutput:
      return "o";
    case LinearRole::MlpUp:
      return "mlp-up";
    case LinearRole::MlpGate:
      return "mlp-gate";
    case LinearRole::MlpDown:
      return "mlp-down";
  }
  return "";
}

/// One projection of a model as Hugging Face names its module (`transformer.h.0.attn.c_attn`,
/// `model.layers.3.self_attn.q_proj`): the name PEFT's target_modules match and its tensor keys use.
struct NamedLinear {
  std::string name;
  LinearRole role;
  int64_t block = -1;
  /// GPT-2's Conv1D: stored (in, out) on disk, as PEFT's `fan_in_fan_out` says.
  bool fan_in_fan_out = false;
  AdaptableLinear layer{nullptr};  ///< null in a list made from a shape alone (the dry run)
  int64_t in = 0, out = 0;
  bool bias = false;
};

/// A live projection's entry, its sizes and bias read from the layer.
inline NamedLinear namedLinear(std::string name, LinearRole role, int64_t block, bool fan_in_fan_out,
                               const AdaptableLinear& layer) {
  NamedLinear linear{std::move(name), role, block, fan_in_fan_out, layer};
  linear.in = layer->weight.size(1);
  linear.out = layer->weight.size(0);
  linear.bias = layer->bias.defined();
  return linear;
}

}  // namespace temper
