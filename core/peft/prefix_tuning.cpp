#include "core/peft/prefix_tuning.h"

#include <cmath>
#include <sstream>

#include "core/common/error.h"

namespace temper {
namespace {

/// torch.nn.Linear's default initialisation: weight and bias uniform in ±1/√fan_in (kaiming
/// uniform with a = √5 gives that bound for the weight).
std::pair<torch::Tensor, torch::Tensor> linearLayer(int64_t in, int64_t out, const torch::TensorOptions& options) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  return {torch::empty({out, in}, options).uniform_(-bound, bound),
          torch::empty({out}, options).uniform_(-bound, bound)};
}

}  // namespace

PrefixEncoder::PrefixEncoder(int64_t layers, int64_t kv_heads, int64_t head_dim, PrefixTuningOptions options,
                             const torch::Device& device)
    : layers_(layers), kv_heads_(kv_heads), head_dim_(head_dim), options_(std::move(options)) {
  torch::NoGradGuard no_grad;
  const auto fp32 = torch::TensorOptions(torch::kFloat32).device(device);
  const int64_t width = kv_heads * head_dim, out = layers * 2 * width;
  if (options_.projection) {
    const int64_t hidden = options_.projectionHidden(width);
    embedding = torch::randn({options_.tokens, width}, fp32);
    std::tie(hidden_weight, hidden_bias) = linearLayer(width, hidden, fp32);
    std::tie(out_weight, out_bias) = linearLayer(hidden, out, fp32);
    for (auto* t : {&hidden_weight, &hidden_bias, &out_weight, &out_bias}) t->set_requires_grad(true);
  } else {
    embedding = torch::randn({options_.tokens, out}, fp32);
  }
  embedding.set_requires_grad(true);
}

torch::Tensor PrefixEncoder::flat() {
  if (!options_.projection) return embedding;
  return torch::linear(torch::tanh(torch::linear(embedding, hidden_weight, hidden_bias)), out_weight, out_bias);
}

torch::Tensor PrefixEncoder::keysValues() {
  // PEFT's get_prompt: view (N, layers·2, kv heads, head dim), permute to (layers·2, heads, N, D)
  // and pair the rows up: row 2l is layer l's keys, row 2l + 1 its values.
  return flat()
      .view({options_.tokens, layers_ * 2, kv_heads_, head_dim_})
      .permute({1, 2, 0, 3})
      .reshape({layers_, 2, kv_heads_, options_.tokens, head_dim_});
}

PrefixTuningAdapter::PrefixTuningAdapter(CausalLm model, PrefixTuningOptions options)
    : model_(std::move(model)), options_(std::move(options)) {
  const int64_t n = options_.tokens;
  if (n < 1) throwConfigError("`prefix-tokens` is " + std::to_string(n) + "; a prefix needs at least 1 position");
  if (n >= model_->contextLength()) {
    throwConfigError("`prefix-tokens` is " + std::to_string(n) + " but the model's context is " +
                     std::to_string(model_->contextLength()) + "; the prefix must leave room for tokens");
  }
  if (options_.projection_hidden < 0) throwConfigError("`prefix-projection-hidden` must not be negative");
  for (auto& p : model_->parameters()) p.set_requires_grad(false);
  encoder_ = std::make_shared<PrefixEncoder>(model_->layerCount(), model_->keyValueHeads(), model_->headDim(), options_,
                                             model_->device());
  attach();
}

PrefixTuningAdapter::~PrefixTuningAdapter() {
  if (attached_) detach();
}

void PrefixTuningAdapter::attach() {
  model_->setAttentionPrefix(encoder_);
  attached_ = true;
}

void PrefixTuningAdapter::detach() {
  if (!attached_) return;
  model_->setAttentionPrefix(nullptr);
  attached_ = false;
}

std::vector<std::pair<std::string, torch::Tensor>> PrefixTuningAdapter::tensors() {
  if (!options_.projection) return {{"prompt_embeddings", encoder_->embedding}};
  return {{"prefix_encoder.embedding.weight", encoder_->embedding},
          {"prefix_encoder.transform.0.weight", encoder_->hidden_weight},
          {"prefix_encoder.transform.0.bias", encoder_->hidden_bias},
          {"prefix_encoder.transform.2.weight", encoder_->out_weight},
          {"prefix_encoder.transform.2.bias", encoder_->out_bias}};
}

std::vector<std::pair<std::string, torch::Tensor>> PrefixTuningAdapter::peftTensors() {
  torch::NoGradGuard no_grad;
  return {{"prompt_embeddings", encoder_->flat()}};
}

void PrefixTuningAdapter::loadTensors(const std::map<std::string, torch::Tensor>& values, const std::string& source) {
  const auto expected = tensors();
  for (const auto& [name, tensor] : expected) {
    auto it = values.find(name);
    if (it == values.end()) throwInputError(source + ": tensor `" + name + "` is missing");
    if (it->second.sizes() != tensor.sizes()) {
      std::ostringstream shapes;
      shapes << it->second.sizes() << " where this model's prefix needs " << tensor.sizes()
             << " (num_virtual_tokens × num_layers × 2 × token_dim)";
      throwInputError(source + ": tensor `" + name + "` has shape " + shapes.str());
    }
  }
  for (const auto& [name, value] : values) {
    bool known = false;
    for (const auto& entry : expected) known = known || entry.first == name;
    if (!known) throwInputError(source + ": tensor `" + name + "` belongs to no prefix");
  }
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : expected) tensor.copy_(values.at(name));
}

Json PrefixTuningAdapter::peftConfig() const {
  const int64_t width = model_->keyValueHeads() * model_->headDim();
  // As PEFT's _prepare_prompt_learning_config writes it for grouped-query models: token_dim and
  // num_attention_heads describe the key/value heads.
  return Json{{"peft_type", "PREFIX_TUNING"},
              {"num_virtual_tokens", options_.tokens},
              {"token_dim", width},
              {"num_transformer_submodules", 1},
              {"num_attention_heads", model_->keyValueHeads()},
              {"num_layers", model_->layerCount()},
              {"encoder_hidden_size", options_.projectionHidden(width)},
              {"prefix_projection", options_.projection}};
}

}  // namespace temper
