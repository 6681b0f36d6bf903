#include "core/peft/bottleneck.h"

#include <cmath>
#include <set>

#include "core/common/error.h"
#include "core/peft/adapter_tensors.h"

namespace temper {
namespace {

const char* positionName(const BottleneckOptions& options, bool attention) {
  if (attention) return "after_attention";
  return options.parallel() ? "parallel" : "after_ffn";
}

}  // namespace

torch::Tensor BottleneckBlocks::delta(const BottleneckLayer& adapter, const torch::Tensor& x) const {
  // The adapter computes in its own (fp32) precision whatever the base's, and hands back the
  // base's dtype.
  torch::Tensor h = torch::linear(x.to(adapter.down_weight.scalar_type()), adapter.down_weight, adapter.down_bias);
  if (options_.act == "relu") {
    h = torch::relu(h);
  } else if (options_.act == "gelu") {
    h = torch::gelu(h);
  } else {
    h = torch::silu(h);
  }
  torch::Tensor out = torch::linear(h, adapter.up_weight, adapter.up_bias);
  if (options_.scaling != 1.0) out = out * options_.scaling;
  return out.to(x.scalar_type());
}

torch::Tensor BottleneckBlocks::afterAttention(int64_t layer, const torch::Tensor& attention_out) {
  auto it = attention.find(layer);
  if (it == attention.end()) return attention_out;
  return attention_out + delta(it->second, attention_out);
}

torch::Tensor BottleneckBlocks::afterMlp(int64_t layer, const torch::Tensor& mlp_in, const torch::Tensor& mlp_out) {
  auto it = ffn.find(layer);
  if (it == ffn.end()) return mlp_out;
  return mlp_out + delta(it->second, options_.parallel() ? mlp_in : mlp_out);
}

BottleneckAdapter::BottleneckAdapter(CausalLm model, BottleneckOptions options)
    : model_(std::move(model)), options_(std::move(options)) {
  const std::set<std::string> placements = {"after-attention", "after-ffn", "both", "parallel"};
  if (!placements.count(options_.placement)) {
    throwConfigError("`adapter-placement` is `" + options_.placement +
                     "`; choose after-attention, after-ffn, both or parallel");
  }
  if (options_.act != "relu" && options_.act != "gelu" && options_.act != "silu") {
    throwConfigError("`adapter-act` is `" + options_.act + "`; choose relu, gelu or silu");
  }
  const int64_t hidden = model_->hiddenSize();
  const int64_t width = bottleneckWidth(hidden, options_.reduction);
  layers_ = adapterLayers(options_.layers, model_->layerCount());
  blocks_ = std::make_shared<BottleneckBlocks>(options_);

  torch::NoGradGuard no_grad;
  for (auto& p : model_->parameters()) p.set_requires_grad(false);
  const auto fp32 = model_->headWeight().options().dtype(torch::kFloat32).requires_grad(false);
  auto make = [&] {
    // The down-projection as a torch Linear starts (kaiming-uniform, a = √5: U(-1/√C, 1/√C)), the
    // up-projection and both biases at zero (He et al.'s and LoRA's choice): the adapter adds
    // exactly 0 until it has learned something.
    BottleneckLayer adapter;
    adapter.down_weight = torch::empty({width, hidden}, fp32);
    torch::nn::init::kaiming_uniform_(adapter.down_weight, std::sqrt(5.0));
    adapter.down_bias = torch::zeros({width}, fp32);
    adapter.up_weight = torch::zeros({hidden, width}, fp32);
    adapter.up_bias = torch::zeros({hidden}, fp32);
    for (torch::Tensor* t : {&adapter.down_weight, &adapter.down_bias, &adapter.up_weight, &adapter.up_bias}) {
      t->set_requires_grad(true);
    }
    return adapter;
  };
  for (int64_t layer : layers_) {
    if (options_.afterAttention()) blocks_->attention[layer] = make();
    if (options_.afterFfn() || options_.parallel()) blocks_->ffn[layer] = make();
  }
  attach();
}

BottleneckAdapter::~BottleneckAdapter() {
  if (attached_) detach();
}

std::vector<std::pair<std::string, torch::Tensor>> BottleneckAdapter::tensors() {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  auto add = [&](int64_t layer, bool attention, const BottleneckLayer& adapter) {
    const std::string prefix = "adapters." + std::to_string(layer) + "." + positionName(options_, attention) + ".";
    out.emplace_back(prefix + "down.weight", adapter.down_weight);
    out.emplace_back(prefix + "down.bias", adapter.down_bias);
    out.emplace_back(prefix + "up.weight", adapter.up_weight);
    out.emplace_back(prefix + "up.bias", adapter.up_bias);
  };
  for (int64_t layer : layers_) {
    if (auto it = blocks_->attention.find(layer); it != blocks_->attention.end()) add(layer, true, it->second);
    if (auto it = blocks_->ffn.find(layer); it != blocks_->ffn.end()) add(layer, false, it->second);
  }
  return out;
}

void BottleneckAdapter::attach() {
  model_->setBlockAdapter(blocks_);
  attached_ = true;
}

void BottleneckAdapter::detach() {
  if (!attached_) return;
  model_->setBlockAdapter(nullptr);
  attached_ = false;
}

void BottleneckAdapter::loadTensors(const std::map<std::string, torch::Tensor>& values, const std::string& source) {
  requireAdapterTensors(tensors(), values, source, "no adapter of this configuration");
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : tensors()) tensor.copy_(values.at(name));
}

Json BottleneckAdapter::peftConfig() const {
  return Json{{"peft_type", "BOTTLENECK"},
              {"placement", options_.placement},
              {"reduction_factor", options_.reduction},
              {"bottleneck_size", bottleneckWidth(model_->hiddenSize(), options_.reduction)},
              {"non_linearity", options_.act},
              {"layers", layers_},
              {"scaling", options_.scaling},
              {"hidden_size", model_->hiddenSize()},
              {"num_layers", model_->layerCount()}};
}

}  // namespace temper
