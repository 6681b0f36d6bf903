#include "core/model/hf_llama.h"

#include <set>

#include "core/common/error.h"
#include "core/model/llama.h"
#include "core/model/quantize_base.h"
#include "core/tensor_io/model_weights.h"
#include "core/tensor_io/torch_safetensors.h"

namespace temper {
namespace {

// Exporters of older transformers versions stored the rotary buffer; it is recomputed from the config.
bool isIgnoredBuffer(const std::string& name) { return name.ends_with("rotary_emb.inv_freq"); }

// Keys of config.json that say who the model is rather than what shape it has: a finetuned model
// keeps its base's (a list of eos ids, a rope_scaling written with "type", a sliding window).
bool keepOriginal(const std::string& key) {
  return key == "bos_token_id" || key == "eos_token_id" || key == "pad_token_id" || key == "rope_scaling" ||
         key == "rope_parameters" || key == "sliding_window" || key == "use_sliding_window";
}

}  // namespace

CausalLm loadLlamaHf(const std::filesystem::path& dir, bool classifier) {
  const auto config_path = dir / "config.json";
  return loadLlamaHf(readJsonFile(config_path), config_path.string(), ModelWeights::open(dir), classifier);
}

CausalLm loadLlamaHf(const Json& hf_config, const std::string& config_source, const ModelWeights& weights,
                     bool classifier, const QuantOptions& quantize) {
  LlamaConfig config = fromHfLlamaConfig(hf_config, config_source);
  auto model = std::make_shared<LlamaImpl>(config, /*initialize=*/false);
  torch::NoGradGuard no_grad;
  auto params = model->named_parameters();
  ProjectionsQuantizedOnLoad quantized(*model, quantize);

  std::set<std::string> loaded;
  for (const auto& [name, entry] : weights.tensors()) {
    const TensorInfo& info = *entry.info;
    const std::string file = entry.file->path().string();
    if (isIgnoredBuffer(name)) continue;
    if (config.tie_word_embeddings && name == "lm_head.weight") continue;  // some exporters store the tied copy
    if (classifier && name == "score.weight") continue;  // the classifier's head, read by sequence_classifier.cpp
    torch::Tensor* target = params.find(name);
    if (target == nullptr) {
      throwInputError(file + ": unexpected tensor `" + name + "` (not part of a " + config.architecture +
                      " with this config.json)");
    }
    if (info.shape != target->sizes().vec()) {
      throwInputError(file + ": tensor `" + name + "` has shape " + shapeText(info.shape) + ", expected " +
                      shapeText(target->sizes()) + " from config.json");
    }
    if (info.dtype != DType::F32 && info.dtype != DType::F16 && info.dtype != DType::BF16 && info.dtype != DType::F64) {
      throwInputError(file + ": tensor `" + name + "` is " + std::string(dtypeName(info.dtype)) +
                      "; weights must be F32, F16 or BF16");
    }
    const torch::Tensor value = tensorFromSafetensors(entry.file, info);
    if (!quantized.take(*target, value)) target->copy_(value);  // copy_ converts F16/BF16 to fp32
    entry.file->releasePages(info);
    loaded.insert(name);
  }
  for (const auto& item : params) {
    // A classifier has no language-model head: its lm_head parameter stays unused (zeros).
    if (classifier && item.key() == "lm_head.weight") {
      item.value().zero_();
      continue;
    }
    if (!loaded.count(item.key())) {
      throwInputError(weights.source().string() + ": tensor `" + item.key() + "` of shape " +
                      shapeText(item.value().sizes()) + " is missing");
    }
  }
  model->eval();
  return model;
}

void saveLlamaHf(CausalLmImpl& model, const Json& original_config, const std::filesystem::path& dir) {
  auto* llama = dynamic_cast<LlamaImpl*>(&model);
  if (llama == nullptr) {
    throw Error(ErrorKind::Internal, "saveLlamaHf: the model is a " + model.family() + ", not a Llama-family model");
  }
  std::filesystem::create_directories(dir);
  torch::NoGradGuard no_grad;
  // A tied head is not a parameter of its own: like transformers, no lm_head.weight is written.
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& item : llama->named_parameters()) {
    tensors.emplace_back(item.key(), item.value().detach().to(torch::kCPU, torch::kFloat32).contiguous());
  }
  saveTensors(dir / kModelWeightsFile, tensors, {{"format", "pt"}, {"producer", "temper"}});
  Json config = original_config.is_object() ? original_config : Json::object();
  const Json shape = toHfLlamaConfig(llama->config());  // named: items() must not outlive it
  for (const auto& [key, value] : shape.items()) {
    if (keepOriginal(key) && config.contains(key)) continue;
    // transformers 5 keeps theta and the scaling under rope_parameters: adding the legacy keys
    // beside it would give two answers.
    if ((key == "rope_scaling" || key == "rope_theta") && config.contains("rope_parameters")) continue;
    config[key] = value;
  }
  writeJsonFileAtomic(dir / "config.json", config);
}

}  // namespace temper
