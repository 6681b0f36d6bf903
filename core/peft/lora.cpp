#include "core/peft/lora.h"

#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "core/common/error.h"
#include "core/model/sequence_classifier.h"
#include "core/peft/adapter_tensors.h"

namespace temper {
namespace {

constexpr const char* kPeftPrefix = "base_model.model.";

std::string peftBiasName(const std::string& bias) { return bias == "lora-only" ? "lora_only" : bias; }

}  // namespace

LoraLinear::LoraLinear(torch::Tensor a_in, torch::Tensor b_in, torch::Tensor magnitude_in, double scaling,
                       double dropout, const bool* training)
    : a(std::move(a_in)),
      b(std::move(b_in)),
      magnitude(std::move(magnitude_in)),
      scaling_(scaling),
      dropout_(dropout),
      training_(training) {}

torch::Tensor LoraLinear::forward(const torch::Tensor& x, const AdaptableLinearImpl& layer) {
  torch::Tensor base = layer.baseForward(x);
  const bool dropping = dropout_ > 0.0 && *training_;
  const torch::Tensor h = dropping ? torch::dropout(x, dropout_, true) : x;
  const torch::Tensor lora = torch::linear(torch::linear(h, a), b);
  if (!magnitude.defined()) return base + lora * scaling_;
  // DoRA (peft/tuners/lora/dora.py, DoraLinearLayer.forward): the column norm of the adapted
  // weight is a constant for autograd; the base product without its bias is reused unless
  // dropout changed the input.
  torch::Tensor norm;
  {
    torch::NoGradGuard no_grad;
    norm = (layer.baseWeight() + scaling_ * torch::mm(b, a)).norm(2, {1});
  }
  const torch::Tensor scale = magnitude / norm;
  torch::Tensor base_without_bias;
  if (dropping) {
    base_without_bias = layer.baseForward(h, /*with_bias=*/false);
  } else {
    base_without_bias = layer.bias.defined() ? base - layer.bias : base;
  }
  return base + (scale - 1) * base_without_bias + scale * lora * scaling_;
}

LoraAdapter::LoraAdapter(CausalLm model, LoraOptions options)
    : LoraAdapter(model, options, parseTargetSpec(options.targets)) {}

LoraAdapter::LoraAdapter(CausalLm model, LoraOptions options, TargetSpec targets)
    : model_(std::move(model)), options_(std::move(options)) {
  if (options_.r < 1) throwConfigError("`lora-r` is " + std::to_string(options_.r) + "; the rank must be at least 1");
  if (!(options_.alpha > 0)) throwConfigError("`lora-alpha` must be positive");
  build(targets);
  attach();
}

LoraAdapter::~LoraAdapter() {
  if (attached_) detach();
}

void LoraAdapter::build(const TargetSpec& spec) {
  std::vector<NamedLinear> linears = model_->adaptableLinears();
  const std::vector<size_t> chosen = matchTargets(spec, linears);
  target_modules_ = targetModulesJson(spec, linears, chosen);
  const std::string family = model_->family();

  torch::NoGradGuard no_grad;
  for (auto& p : model_->parameters()) p.set_requires_grad(false);
  const double scaling = options_.scaling();
  std::set<const torch::nn::LinearImpl*> targeted;
  for (size_t index : chosen) {
    NamedLinear& linear = linears[index];
    fan_in_fan_out_ = fan_in_fan_out_ || linear.fan_in_fan_out;
    // A quantised base (QLoRA) keeps its dtype and device on the empty `weight` parameter.
    const auto options = linear.layer->weight.options().requires_grad(false);
    // PEFT's reset_lora_parameters: kaiming_uniform_(a=√5) on A, i.e. U(-1/√in, 1/√in); B zeros.
    torch::Tensor a = torch::empty({options_.r, linear.layer->inFeatures()}, options);
    torch::nn::init::kaiming_uniform_(a, std::sqrt(5.0));
    torch::Tensor b = torch::zeros({linear.layer->outFeatures(), options_.r}, options);
    torch::Tensor magnitude;
    if (options_.dora) magnitude = (linear.layer->baseWeight() + scaling * torch::mm(b, a)).norm(2, {1});
    a.set_requires_grad(true);
    b.set_requires_grad(true);
    if (magnitude.defined()) magnitude.set_requires_grad(true);
    targets_.push_back({linear.name, linear.layer,
                        std::make_shared<LoraLinear>(a, b, magnitude, scaling, options_.dropout, &training_)});
    targeted.insert(linear.layer.get());
  }

  // Base tensors that train in place: biases (PEFT's `bias`), then whole modules to save.
  std::set<const void*> taken;  // by tensor: a bias may be reached as a target's and as any bias
  auto takeInPlace = [&](const std::string& our_name, torch::Tensor& p, bool of_target) {
    // PEFT wraps a targeted layer, so its own tensors are `<module>.base_layer.<name>` there.
    std::string hf = classifierTensorName(family, our_name);
    if (of_target) hf.insert(hf.rfind('.'), ".base_layer");
    const std::string name = kPeftPrefix + hf;
    if (!taken.insert(p.unsafeGetTensorImpl()).second) return;
    p.set_requires_grad(true);
    in_place_.push_back({name, p, p, {}});
  };
  if (options_.bias != "none") {
    // A projection's bias by its own parameter name, through the model's registry of parameters.
    std::map<const void*, std::pair<std::string, torch::Tensor>> by_tensor;
    for (auto& item : model_->named_parameters()) {
      by_tensor[item.value().unsafeGetTensorImpl()] = {item.key(), item.value()};
    }
    for (const auto& linear : linears) {
      if (!linear.layer->bias.defined()) continue;
      const bool of_target = targeted.count(linear.layer.get()) > 0;
      if (options_.bias == "all" || of_target) {
        auto& [name, tensor] = by_tensor.at(linear.layer->bias.unsafeGetTensorImpl());
        takeInPlace(name, tensor, of_target);
      }
    }
    if (options_.bias == "all") {
      for (auto& item : model_->named_parameters()) {
        if (item.key().ends_with("bias")) takeInPlace(item.key(), item.value(), false);
      }
    }
  }
  for (const auto& module : options_.modules_to_save) {
    bool any = false;
    for (auto& item : model_->named_parameters()) {
      const std::string hf = classifierTensorName(family, item.key());
      const std::string module_path = hf.substr(0, hf.rfind('.'));
      if (moduleNameMatches(module_path, module)) {
        takeInPlace(item.key(), item.value(), false);
        any = true;
      }
    }
    if (!any) throwConfigError("`modules-to-save` names `" + module + "`, which is no module of the model");
  }
}

std::vector<std::pair<std::string, torch::Tensor>> LoraAdapter::tensors() {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& t : targets_) {
    const std::string prefix = kPeftPrefix + t.name;
    out.emplace_back(prefix + ".lora_A.weight", t.lora->a);
    out.emplace_back(prefix + ".lora_B.weight", t.lora->b);
    if (t.lora->magnitude.defined()) out.emplace_back(prefix + ".lora_magnitude_vector", t.lora->magnitude);
  }
  for (const auto& p : in_place_) out.emplace_back(p.name, p.value);
  return out;
}

void LoraAdapter::attach() {
  if (attached_) return;
  torch::NoGradGuard no_grad;
  for (auto& p : in_place_) {
    if (p.value.is_same(p.target)) continue;
    p.saved = p.target.clone();
    p.target.copy_(p.value);
  }
  for (auto& t : targets_) t.layer->attach(t.lora);
  attached_ = true;
}

void LoraAdapter::detach() {
  if (!attached_) return;
  torch::NoGradGuard no_grad;
  for (auto& t : targets_) t.layer->detach();
  for (auto& p : in_place_) {
    if (!p.saved.defined()) continue;
    p.target.copy_(p.saved);
    p.saved = torch::Tensor();
  }
  attached_ = false;
}

void LoraAdapter::loadTensors(const std::map<std::string, torch::Tensor>& given, const std::string& source) {
  // Adapters written before PEFT wrapped targeted layers name their biases `<module>.bias`; read
  // those as `<module>.base_layer.bias`.
  std::map<std::string, torch::Tensor> values = given;
  for (const auto& p : in_place_) {
    const auto wrapped = p.name.rfind(".base_layer.");
    if (wrapped == std::string::npos || values.count(p.name)) continue;
    const std::string plain = p.name.substr(0, wrapped) + p.name.substr(wrapped + std::strlen(".base_layer"));
    auto it = values.find(plain);
    if (it == values.end()) continue;
    values[p.name] = it->second;
    values.erase(it);
  }
  torch::NoGradGuard no_grad;
  const bool was_attached = attached_;
  detach();
  requireAdapterTensors(tensors(), values, source, "no LoRA target of this configuration");
  for (auto& t : targets_) {
    const std::string prefix = kPeftPrefix + t.name;
    t.lora->a.copy_(values.at(prefix + ".lora_A.weight"));
    t.lora->b.copy_(values.at(prefix + ".lora_B.weight"));
    if (t.lora->magnitude.defined()) t.lora->magnitude.copy_(values.at(prefix + ".lora_magnitude_vector"));
  }
  for (auto& p : in_place_) {
    if (p.value.is_same(p.target)) p.value = p.target.clone();  // the base's value stays in the model
    p.value.copy_(values.at(p.name));
  }
  if (was_attached) attach();
}

void LoraAdapter::mergeIntoBase() {
  for (const auto& t : targets_) {
    if (t.layer->quantized()) {
      throwConfigError("cannot merge the adapter: `" + t.name + "` has a quantised base weight (" +
                       quantKindName(t.layer->quantizedWeight()->kind()) +
                       "), and merging into a quantised base is not supported; load the base at full "
                       "precision (base-quant none) and merge into that");
    }
  }
  torch::NoGradGuard no_grad;
  const double scaling = options_.scaling();
  for (auto& t : targets_) {
    torch::Tensor& w = t.layer->weight;
    torch::Tensor adapted = w + scaling * torch::mm(t.lora->b, t.lora->a);
    if (t.lora->magnitude.defined()) adapted = adapted * (t.lora->magnitude / adapted.norm(2, {1})).unsqueeze(1);
    w.copy_(adapted);
    t.layer->detach();
  }
  for (auto& p : in_place_) {
    p.target.copy_(p.value);
    p.saved = torch::Tensor();
  }
  targets_.clear();
  in_place_.clear();
  attached_ = false;
}

std::vector<std::string> LoraAdapter::targetNames() const {
  std::vector<std::string> names;
  for (const auto& t : targets_) names.push_back(t.name);
  return names;
}

Json LoraAdapter::peftConfig() const {
  Json modules = Json(nullptr);
  if (!options_.modules_to_save.empty()) modules = options_.modules_to_save;
  return Json{{"peft_type", "LORA"},
              {"r", options_.r},
              {"lora_alpha", options_.alpha},
              {"lora_dropout", options_.dropout},
              {"target_modules", target_modules_},
              {"use_rslora", options_.rslora},
              {"use_dora", options_.dora},
              {"bias", peftBiasName(options_.bias)},
              {"modules_to_save", modules},
              {"fan_in_fan_out", fan_in_fan_out_},
              {"init_lora_weights", true},
              {"layers_to_transform", nullptr},
              {"layers_pattern", nullptr},
              {"rank_pattern", Json::object()},
              {"alpha_pattern", Json::object()}};
}

}  // namespace temper
