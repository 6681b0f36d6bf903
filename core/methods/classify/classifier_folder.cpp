#include "core/methods/classify/classifier_folder.h"

#include "core/common/error.h"
#include "core/model/hf_model.h"
#include "core/model/sequence_classifier.h"
#include "core/peft/adapter_folder.h"
#include "core/tensor_io/model_weights.h"
#include "core/tensor_io/torch_safetensors.h"

namespace temper {
namespace {

std::string headShape(const torch::Tensor& score) { return shapeText(score.sizes()); }

}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> classifierTrainableParameters(ModelSource& source,
                                                                                 CausalLmImpl& model,
                                                                                 const torch::Tensor& score) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  if (const auto& adapter = source.adapter) {
    out = adapter->tensors();
    out.emplace_back(classifierHeadTensorName(adapter->kind()), score);
    return out;
  }
  for (const auto& item : model.named_parameters()) {
    if (item.value().requires_grad()) out.emplace_back(item.key(), item.value());
  }
  out.emplace_back("score.weight", score);
  return out;
}

void saveClassifierFolder(const ModelSource& source, CausalLmImpl& model, const torch::Tensor& score,
                          const std::vector<std::string>& labels, const Tokenizer& tokenizer,
                          const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  torch::NoGradGuard no_grad;
  if (source.adapter) {
    const ClassifierHead head{score, labels};
    saveModelFolder(source, model, dir, &head);
    return;
  }
  saveSequenceClassifier(model, source.hf_config, score, labels, classifierPadId(tokenizer), dir);
  copyTokenizerFiles(source, dir);
}

void loadClassifierFolderWeights(ModelSource& source, CausalLmImpl& model, const torch::Tensor& score,
                                 const std::filesystem::path& dir) {
  if (source.adapter) {
    torch::Tensor saved;
    loadModelWeightsInto(source, model, dir, &saved);
    if (saved.sizes() != score.sizes()) {
      throwInputError((dir / kAdapterWeightsFile).string() + ": the head is not " + headShape(score));
    }
    torch::NoGradGuard no_grad;
    score.copy_(saved);
    return;
  }
  // The backbone as the family's loader reads the folder: names mapped and GPT-2's Conv1D weights,
  // stored (in, out), turned back (comparing the raw tensors with the parameters failed on them).
  const CausalLm backbone = loadHfModel(dir);
  auto loaded = backbone->named_parameters();
  torch::NoGradGuard no_grad;
  for (auto& item : model.named_parameters()) {
    const std::string& name = item.key();
    if (name.starts_with("lm_head.")) continue;  // a classifier has none
    const torch::Tensor* value = loaded.find(name);
    if (value == nullptr || value->sizes() != item.value().sizes()) {
      throwInputError((dir / kModelWeightsFile).string() + ": tensor `" + classifierTensorName(model.family(), name) +
                      "` is missing or has another shape than the classifier");
    }
    item.value().copy_(*value);
  }
  auto tensors = loadAllTensors(dir / kModelWeightsFile);
  auto saved = tensors.find("score.weight");
  if (saved == tensors.end() || saved->second.sizes() != score.sizes()) {
    throwInputError((dir / kModelWeightsFile).string() + ": tensor `score.weight` is missing or is not " +
                    headShape(score));
  }
  score.copy_(saved->second);
}

int classifierPadId(const Tokenizer& tokenizer) {
  return tokenizer.padId() >= 0 ? tokenizer.padId() : tokenizer.eosId();
}

}  // namespace temper
