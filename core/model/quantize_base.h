#pragma once
/// How a frozen base (an adapter's run) is stored. QLoRA: every projection a PEFT method may adapt
/// (CausalLmImpl::adaptableLinears) quantised (core/quant), the embeddings, norms and head left as
/// they are. Under bf16 autocast: the frozen projections and head in bf16, the dtype their products
/// run in anyway.
#include <cstdint>
#include <map>

#include "core/model/causal_lm.h"
#include "core/quant/quantized_weight.h"

namespace temper {

/// Quantises the projections of `model` in place (nothing for QuantKind::None), releasing their
/// full-precision weights and handing freed heap pages back to the system; returns the bytes the
/// quantised weights take. Call it after moving the
/// model to its device.
int64_t quantizeProjections(CausalLmImpl& model, const QuantOptions& options);

/// QLoRA's loading: the projections of `model` (built without values) that a loader quantises as it
/// reads them, so that the base's full-precision projections never exist in memory at once (only
/// the one being read). Empty for QuantKind::None.
class ProjectionsQuantizedOnLoad {
 public:
  ProjectionsQuantizedOnLoad(CausalLmImpl& model, const QuantOptions& options);
  /// When `target` is the weight of one of the projections: quantises `value` (the weight's
  /// values, (out, in), any float dtype) into it and returns true. False otherwise.
  bool take(const torch::Tensor& target, const torch::Tensor& value);

 private:
  std::map<const c10::TensorImpl*, AdaptableLinearImpl*> layers_;
  QuantOptions options_;
};

/// An adapter's run under bf16 autocast: the frozen projections and head stored in bf16
/// (CausalLmImpl::storeFrozenWeightsForAutocast), freed heap pages handed back; returns the bytes
/// freed. Call it once the adapter is attached (what trains is known) and never for a run that
/// saves the base: the weights are rounded to bf16.
int64_t storeFrozenBaseForAutocast(CausalLmImpl& model);

}  // namespace temper
