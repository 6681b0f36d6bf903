#include "core/model/hf_gpt2.h"

#include <set>

#include "core/common/error.h"
#include "core/model/quantize_base.h"
#include "core/tensor_io/model_weights.h"
#include "core/tensor_io/torch_safetensors.h"

namespace temper {
namespace {

// Our Linear weights are (out, in); GPT-2's Conv1D stores (in, out).
bool isConv1dWeight(const std::string& name) {
  return name.ends_with(".weight") &&
         (name.find(".attn.c_") != std::string::npos || name.find(".mlp.c_") != std::string::npos);
}

bool isIgnoredName(const std::string& name) {
  return name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias") || name == "lm_head.weight";
}

}  // namespace

GptConfig readGptHfConfig(const std::filesystem::path& dir) {
  auto config_path = dir / "config.json";
  return fromHfConfig(readJsonFile(config_path), config_path.string());
}

void saveGptHf(GptImpl& model, const Json& original_config, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  torch::NoGradGuard no_grad;
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& item : model.named_parameters()) {
    torch::Tensor t = item.value().detach().to(torch::kCPU, torch::kFloat32);
    if (isConv1dWeight(item.key())) t = t.t();
    tensors.emplace_back(item.key(), t.contiguous());
  }
  saveTensors(dir / kModelWeightsFile, tensors, {{"format", "pt"}, {"producer", "temper"}});
  Json config = original_config.is_object() ? original_config : Json::object();
  const Json shape = toHfConfig(model.config());
  for (const auto& [key, value] : shape.items()) config[key] = value;
  writeJsonFileAtomic(dir / "config.json", config);
}

Gpt loadGptHf(const std::filesystem::path& dir, bool classifier) {
  const auto config_path = dir / "config.json";
  return loadGptHf(readJsonFile(config_path), config_path.string(), ModelWeights::open(dir), classifier);
}

Gpt loadGptHf(const Json& hf_config, const std::string& config_source, const ModelWeights& weights, bool classifier,
              const QuantOptions& quantize) {
  GptConfig config = fromHfConfig(hf_config, config_source);
  Gpt model(config, /*initialize=*/false);  // every parameter is overwritten below (or reported missing)
  torch::NoGradGuard no_grad;
  auto params = model->named_parameters();
  ProjectionsQuantizedOnLoad quantized(*model, quantize);

  std::set<std::string> loaded;
  for (const auto& item : weights.tensors()) {
    const ModelWeights::Entry& entry = item.second;
    const TensorInfo& info = *entry.info;
    const std::string weights_file = entry.file->path().string();
    std::string name = info.name.starts_with("transformer.") ? info.name.substr(12) : info.name;
    if (isIgnoredName(name)) continue;
    if (classifier && name == "score.weight") continue;  // the classifier's head, read by sequence_classifier.cpp
    torch::Tensor* target = params.find(name);
    if (target == nullptr) {
      throwInputError(weights_file + ": unexpected tensor `" + info.name +
                      "` (not part of a GPT-2 with this config.json)");
    }
    // Compare in the file's layout (before the Conv1D transpose) so the message shows the shapes
    // as stored, and so a tensor of the wrong rank is reported rather than failing in t().
    const std::vector<int64_t> expected =
        isConv1dWeight(name) ? std::vector<int64_t>{target->size(1), target->size(0)} : target->sizes().vec();
    if (info.shape != expected) {
      throwInputError(weights_file + ": tensor `" + info.name + "` has shape " + shapeText(info.shape) + ", expected " +
                      shapeText(expected) + " from config.json");
    }
    torch::Tensor value = tensorFromSafetensors(entry.file, info);
    if (isConv1dWeight(name)) value = value.t();
    if (!quantized.take(*target, value)) target->copy_(value);  // copy_ converts F16/BF16 to fp32
    entry.file->releasePages(info);
    loaded.insert(name);
  }
  for (const auto& item : params) {
    if (!loaded.count(item.key())) {
      throwInputError(weights.source().string() + ": tensor `" + item.key() + "` is missing");
    }
  }
  return model;
}

}  // namespace temper
