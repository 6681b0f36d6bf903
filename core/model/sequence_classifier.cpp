#include "core/model/sequence_classifier.h"

#include "core/common/error.h"
#include "core/tensor_io/model_weights.h"
#include "core/tensor_io/torch_safetensors.h"

namespace temper {
namespace {

constexpr const char* kSuffix = "ForSequenceClassification";

}  // namespace

SequenceClassifier loadSequenceClassifier(const std::filesystem::path& dir) {
  return loadSequenceClassifier(inspectHfModel(dir));
}

SequenceClassifier loadSequenceClassifier(const HfModelInfo& info) {
  if (!info.isClassifier()) {
    throwInputError(info.dir.string() + ": " + info.architecture +
                    " is a language model, not a classifier (*ForSequenceClassification)");
  }
  SequenceClassifier classifier;
  classifier.info = info;
  classifier.backbone = loadHfModel(info);
  classifier.labels = info.labels;
  const auto& entry = info.weights->tensors().at("score.weight");  // inspectHfModel checked it is there
  const int64_t hidden = classifier.backbone->hiddenSize();
  if (entry.info->shape != std::vector<int64_t>{static_cast<int64_t>(classifier.labels.size()), hidden}) {
    throwInputError(entry.file->path().string() + ": tensor `score.weight` must be (" +
                    std::to_string(classifier.labels.size()) + ", " + std::to_string(hidden) +
                    "): one row per label of config.json, one column per hidden unit");
  }
  classifier.score = tensorFromSafetensors(entry.file, *entry.info).to(torch::kFloat32).clone();
  return classifier;
}

torch::Tensor classifierLogits(CausalLmImpl& backbone, const torch::Tensor& score, const torch::Tensor& ids,
                               const torch::Tensor& last) {
  auto hidden = backbone.hidden(ids);  // (B, T, C)
  auto picked = hidden.index({torch::arange(ids.size(0), last.options()), last});
  return torch::linear(picked, score);
}

void saveSequenceClassifier(CausalLmImpl& backbone, const Json& causal_config, const torch::Tensor& score,
                            const std::vector<std::string>& labels, int pad_id, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  torch::NoGradGuard no_grad;
  const std::string family = backbone.family();
  // The causal layout first (its config keys), then the weights renamed to the classifier's
  // names: no lm_head, a score head.
  saveHfModel(backbone, causal_config, dir);
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (auto& [name, tensor] : loadAllTensors(dir / kModelWeightsFile)) {
    if (name == "lm_head.weight") continue;
    tensors.emplace_back(classifierTensorName(family, name), tensor.clone());
  }
  tensors.emplace_back("score.weight", score.detach().to(torch::kCPU, torch::kFloat32).contiguous());
  saveTensors(dir / kModelWeightsFile, tensors, {{"format", "pt"}, {"producer", "temper"}});
  Json config = readJsonFile(dir / "config.json");
  config["architectures"] =
      Json::array({classifierArchitecture(family, causal_config.is_null() ? config : causal_config)});
  Json id2label = Json::object(), label2id = Json::object();
  for (size_t i = 0; i < labels.size(); ++i) {
    id2label[std::to_string(i)] = labels[i];
    label2id[labels[i]] = static_cast<int64_t>(i);
  }
  config["id2label"] = id2label;
  config["label2id"] = label2id;
  config["num_labels"] = static_cast<int64_t>(labels.size());
  if (pad_id >= 0) config["pad_token_id"] = pad_id;
  writeJsonFileAtomic(dir / "config.json", config);
}

std::string classifierTensorName(const std::string& family, const std::string& backbone_name) {
  return family == "gpt2" ? "transformer." + backbone_name : backbone_name;
}

std::string classifierArchitecture(const std::string& family, const Json& causal_config) {
  if (family == "gpt2") return "GPT2ForSequenceClassification";
  std::string causal;
  if (causal_config.is_object() && causal_config.contains("architectures") &&
      causal_config["architectures"].is_array() && !causal_config["architectures"].empty() &&
      causal_config["architectures"][0].is_string()) {
    causal = causal_config["architectures"][0].get<std::string>();
  }
  for (const char* ending : {"ForCausalLM", kSuffix}) {
    const auto at = causal.find(ending);
    if (at != std::string::npos && at > 0) return causal.substr(0, at) + kSuffix;
  }
  return std::string("Llama") + kSuffix;
}

std::string causalArchitecture(const std::string& classifier_architecture) {
  if (classifier_architecture == "GPT2ForSequenceClassification") return "GPT2LMHeadModel";
  const auto at = classifier_architecture.find(kSuffix);
  if (at == std::string::npos || at == 0) return classifier_architecture;
  return classifier_architecture.substr(0, at) + "ForCausalLM";
}

}  // namespace temper
