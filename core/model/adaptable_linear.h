#pragma once
/// The projections of every family (q/k/v/o, c_attn, the MLP's) are AdaptableLinear: a plain
/// torch Linear (same parameters, same names, same loading) that a parameter-efficient method can
/// take over without the family knowing. LoRA and DoRA (core/peft/lora.h) attach a LinearAdapter
/// to the layers they target; the layer then asks the adapter for its output, and the adapter asks
/// the layer for its frozen base's (baseForward). Detaching restores the plain forward, so one
/// loaded base serves several adapters in turn (chat's attach/detach) and never copies its weights.
/// QLoRA's frozen base: quantize() replaces the weight by its int8 or NF4 form
/// (core/quant/quantized_weight.h), which the base product dequantises one layer at a time. Under
/// bf16 autocast a frozen weight is stored in bf16 instead (storeFrozenIn).
#include "core/torch_api.h"

#include <memory>
#include <string>

#include "core/model/linear_projection.h"
#include "core/quant/product_dtype.h"
#include "core/quant/quantized_linear.h"

namespace temper {

class AdaptableLinearImpl;

/// What a PEFT method puts in place of a Linear's forward while it is attached.
class LinearAdapter {
 public:
  virtual ~LinearAdapter() = default;
  /// The layer's output for x: the frozen base's (layer.baseForward(x)) plus whatever the adapter
  /// adds.
  virtual torch::Tensor forward(const torch::Tensor& x, const AdaptableLinearImpl& layer) = 0;
  /// Whether the adapter reads the base weight itself at full precision (DoRA's column norms), so
  /// the layer must keep it as it was loaded (storeFrozenIn leaves it).
  virtual bool readsBaseWeight() const { return false; }
};

class AdaptableLinearImpl : public torch::nn::LinearImpl {
 public:
  using torch::nn::LinearImpl::LinearImpl;

  void attach(std::shared_ptr<LinearAdapter> adapter) { adapter_ = std::move(adapter); }
  void detach() { adapter_.reset(); }
  LinearAdapter* adapter() const { return adapter_.get(); }

  /// Replaces the weight by its quantised form (nothing for QuantKind::None) and freezes it. The
  /// `weight` parameter stays registered, so named_parameters() still lists it, but it holds no
  /// elements: its full-precision storage is released (unless something else holds it), and
  /// loading a state into it fails on the shape rather than going unseen. Sizes come from
  /// inFeatures() / outFeatures(). Quantise after moving the model to its device: the codes stay
  /// where the weight was. Not reversible; a quantised layer cannot be quantised again.
  void quantize(const QuantOptions& options) { quantizeFrom(weight, options); }
  /// quantize() from `source` (out, in), the weight's values as read from a file, instead of the
  /// weight itself: a loader quantises each projection as it reads it (QLoRA's loading), so the
  /// full-precision weight is never filled. Same codes as filling the weight and quantising it.
  void quantizeFrom(const torch::Tensor& source, const QuantOptions& options) {
    if (options.kind == QuantKind::None) return;
    TORCH_CHECK(!quantized_, "this projection's weight is already quantised");
    TORCH_CHECK(source.dim() == 2 && source.size(0) == outFeatures() && source.size(1) == inFeatures(),
                "quantizeFrom: a weight of ", source.sizes(), " for a projection of ", inFeatures(), " -> ",
                outFeatures());
    torch::NoGradGuard no_grad;
    // In the weight's dtype first, as a filled weight would hold it (an F64 file rounds alike).
    const torch::Tensor values = source.to(weight.scalar_type()).contiguous();
    quantized_ = std::make_shared<const QuantizedWeight>(QuantizedWeight::quantize(values, options));
    weight.set_requires_grad(false);
    weight.set_(torch::empty({0}, weight.options()));  // in place: the registered parameter too
  }
  bool quantized() const { return quantized_ != nullptr; }

  /// Stores a frozen, unquantised weight in `dtype` (bf16) when the products it takes part in run in
  /// that dtype anyway (bf16 autocast): autocast would cast it on every forward pass and keep the
  /// copy for the backward pass, so storing it cast gives the same products, bit for bit, without
  /// the fp32 original or the per-pass copies. A product outside autocast widens it back to the
  /// input's dtype (baseForward). Leaves a weight that trains, a quantised one, and one an attached
  /// adapter reads (readsBaseWeight). The bias stays as it is (it may train). Returns the bytes freed.
  int64_t storeFrozenIn(torch::ScalarType dtype) {
    if (quantized_ || weight.requires_grad() || weight.scalar_type() == dtype) return 0;
    if (adapter_ && adapter_->readsBaseWeight()) return 0;
    torch::NoGradGuard no_grad;
    const int64_t freed = weight.numel() * (weight.element_size() - torch::elementSize(dtype));
    weight.set_data(weight.to(dtype));
    return freed;
  }
  /// The quantised weight, or null when the weight is plain.
  const QuantizedWeight* quantizedWeight() const { return quantized_.get(); }

  int64_t inFeatures() const { return options.in_features(); }
  int64_t outFeatures() const { return options.out_features(); }

  /// The frozen base's x Wᵀ + b (`with_bias` false: x Wᵀ), dequantising a quantised W for this
  /// product only (quantizedLinear).
  torch::Tensor baseForward(const torch::Tensor& x, bool with_bias = true) const {
    if (quantized_) return quantizedLinear(x, quantized_, with_bias ? bias : torch::Tensor());
    // A weight stored below x's precision (storeFrozenIn) with no autocast to meet it: widened for
    // this product only.
    const bool widen = weight.scalar_type() != x.scalar_type() && weight.scalar_type() != productDtype(x);
    const torch::Tensor w = widen ? weight.to(x.scalar_type()) : weight;
    return with_bias ? projectRows(x, w, bias) : torch::linear(x, w);
  }
  /// W (out, in) in the weight's dtype: the parameter itself, or a fresh dequantised copy that
  /// requires no gradient (DoRA's column norms, merging).
  torch::Tensor baseWeight() const {
    if (!quantized_) return weight;
    return quantized_->dequantize(weight.scalar_type());
  }

 private:
  std::shared_ptr<LinearAdapter> adapter_;
  std::shared_ptr<const QuantizedWeight> quantized_;
};
TORCH_MODULE(AdaptableLinear);

inline torch::Tensor applyLinear(const AdaptableLinear& layer, const torch::Tensor& x) {
  if (LinearAdapter* adapter = layer->adapter()) return adapter->forward(x, *layer);
  return layer->baseForward(x);
}

namespace detail {
inline thread_local int projections_left_uninitialised = 0;
}  // namespace detail

/// While one lives on this thread, makeAdaptableLinear allocates a projection's weight and bias
/// without initialising them. For a model built to be loaded (the families' `initialize` false):
/// untouched, an allocation takes no resident pages until written, so a loader that quantises each
/// projection as it reads it (quantize_base.h) never holds the full-precision projections; with
/// LibTorch's kaiming pass a 1.1B Llama's 3.7 GB were resident after construction alone. A model
/// built to train from its initial weights keeps that pass, so the random draws that follow (its
/// own initWeights) are those it always made.
class ProjectionsLeftUninitialised {
 public:
  ProjectionsLeftUninitialised() { ++detail::projections_left_uninitialised; }
  ~ProjectionsLeftUninitialised() { --detail::projections_left_uninitialised; }
  ProjectionsLeftUninitialised(const ProjectionsLeftUninitialised&) = delete;
  ProjectionsLeftUninitialised& operator=(const ProjectionsLeftUninitialised&) = delete;
};

/// A projection of `in` -> `out` features (LibTorch's Linear initialisation, unless a
/// ProjectionsLeftUninitialised lives on this thread).
inline AdaptableLinear makeAdaptableLinear(int64_t in, int64_t out, bool bias) {
  if (detail::projections_left_uninitialised == 0) return AdaptableLinear(torch::nn::LinearOptions(in, out).bias(bias));
  AdaptableLinear layer(torch::nn::LinearOptions(1, 1).bias(bias));  // LibTorch initialises one value
  layer->options = torch::nn::LinearOptions(in, out).bias(bias);
  torch::NoGradGuard no_grad;
  layer->weight.set_(torch::empty({out, in}));  // in place: the registered parameters too
  if (bias) layer->bias.set_(torch::empty({out}));
  return layer;
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
  linear.in = layer->inFeatures();  // a quantised weight holds no elements
  linear.out = layer->outFeatures();
  linear.bias = layer->bias.defined();
  return linear;
}

}  // namespace temper
