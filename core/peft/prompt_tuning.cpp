#include "core/peft/prompt_tuning.h"

#include <sstream>

#include "core/common/error.h"

namespace temper {
namespace {

std::string peftInitName(const std::string& init) {
  if (init == "random") return "RANDOM";
  if (init == "text") return "TEXT";
  return "SAMPLE_VOCAB";
}

}  // namespace

PromptTuningAdapter::PromptTuningAdapter(CausalLm model, PromptTuningOptions options,
                                         const std::vector<int64_t>& text_ids)
    : model_(std::move(model)), options_(std::move(options)) {
  const int64_t n = options_.tokens;
  if (n < 1) throwConfigError("`prompt-tokens` is " + std::to_string(n) + "; a soft prompt needs at least 1");
  if (n >= model_->contextLength()) {
    throwConfigError("`prompt-tokens` is " + std::to_string(n) + " but the model's context is " +
                     std::to_string(model_->contextLength()) + "; the prompt must leave room for tokens");
  }
  torch::NoGradGuard no_grad;
  for (auto& p : model_->parameters()) p.set_requires_grad(false);
  const torch::Tensor table =
      model_->embed(torch::arange(model_->vocabSize(), torch::TensorOptions(torch::kLong).device(model_->device())));
  const auto options_fp32 = table.options().dtype(torch::kFloat32);
  if (options_.init == "random") {
    prompt_ = torch::randn({n, model_->hiddenSize()}, options_fp32);
  } else if (options_.init == "text") {
    if (text_ids.empty()) throwConfigError("`prompt-init-text` has no tokens; give the text to start the prompt from");
    // PEFT's TEXT init: the text's ids cut to N, or repeated until there are N.
    std::vector<int64_t> ids;
    while (static_cast<int64_t>(ids.size()) < n) ids.insert(ids.end(), text_ids.begin(), text_ids.end());
    ids.resize(static_cast<size_t>(n));
    prompt_ = table.index_select(0, torch::tensor(ids, torch::kLong).to(table.device())).to(torch::kFloat32).clone();
  } else {
    const torch::Tensor ids = torch::randint(0, model_->vocabSize(), {n}, torch::kLong).to(table.device());
    prompt_ = table.index_select(0, ids).to(torch::kFloat32).clone();
  }
  prompt_.set_requires_grad(true);
  attach();
}

PromptTuningAdapter::~PromptTuningAdapter() {
  if (attached_) detach();
}

void PromptTuningAdapter::attach() {
  model_->setSoftPrompt(prompt_);
  attached_ = true;
}

void PromptTuningAdapter::detach() {
  if (!attached_) return;
  model_->setSoftPrompt(torch::Tensor());
  attached_ = false;
}

void PromptTuningAdapter::loadTensors(const std::map<std::string, torch::Tensor>& values, const std::string& source) {
  auto it = values.find("prompt_embeddings");
  if (it == values.end()) throwInputError(source + ": tensor `prompt_embeddings` is missing");
  if (it->second.sizes() != prompt_.sizes()) {
    std::ostringstream shapes;
    shapes << it->second.sizes() << " where num_virtual_tokens × the model's hidden size is " << prompt_.sizes();
    throwInputError(source + ": tensor `prompt_embeddings` has shape " + shapes.str());
  }
  for (const auto& [name, value] : values) {
    if (name != "prompt_embeddings") throwInputError(source + ": tensor `" + name + "` belongs to no soft prompt");
  }
  torch::NoGradGuard no_grad;
  prompt_.copy_(it->second);
}

Json PromptTuningAdapter::peftConfig() const {
  Json config = {{"peft_type", "PROMPT_TUNING"},
                 {"num_virtual_tokens", options_.tokens},
                 {"token_dim", model_->hiddenSize()},
                 {"num_transformer_submodules", 1},
                 {"num_layers", model_->layerCount()},
                 {"prompt_tuning_init", peftInitName(options_.init)},
                 {"prompt_tuning_init_text", options_.init == "text" ? Json(options_.init_text) : Json(nullptr)},
                 {"tokenizer_name_or_path", nullptr}};
  return config;
}

}  // namespace temper
