#include "core/methods/model_source.h"

#include "core/common/error.h"
#include "core/model/gpt.h"
#include "core/model/hf_model.h"
#include "core/model/quantize_base.h"
#include "core/model/sequence_classifier.h"
#include "core/peft/adapter_folder.h"
#include "core/peft/base_fingerprint.h"
#include "core/peft/bottleneck.h"
#include "core/peft/lora.h"
#include "core/peft/prefix_tuning.h"
#include "core/peft/prompt_tuning.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {

ModelSource scratchGpt(const GptConfig& shape, uint64_t seed, const std::filesystem::path& tokenizer_file) {
  torch::manual_seed(seed);
  ModelSource source;
  source.model = Gpt(shape).ptr();
  source.tokenizer = tokenizer_file;
  source.tokenizer_files = {{tokenizer_file, "tokenizer.model"}};
  source.description = "scratch (" + std::to_string(shape.parameterCount()) + " parameters)";
  return source;
}

int64_t trainingContext(const CausalLmImpl& model, int64_t requested, int64_t virtual_tokens) {
  const int64_t model_ctx = model.contextLength();
  if (virtual_tokens >= model_ctx) {
    throwConfigError("`prompt-tokens` is " + std::to_string(virtual_tokens) + " but the model's context is " +
                     std::to_string(model_ctx) + "; the soft prompt must leave room for tokens");
  }
  const int64_t context = requested > 0 ? requested : model_ctx - virtual_tokens;
  if (context + virtual_tokens > model_ctx) {
    throwConfigError("`ctx` is " + std::to_string(context) + " but the model's context is " +
                     std::to_string(model_ctx) +
                     (virtual_tokens > 0 ? ", of which the soft prompt takes " + std::to_string(virtual_tokens) +
                                               "; use ctx ≤ " + std::to_string(model_ctx - virtual_tokens)
                                         : std::string()));
  }
  return context;
}

void refuseClassifierBase(const std::filesystem::path& dir) {
  throwInputError(dir.string() +
                  ": this is a classifier (*ForSequenceClassification), not a language model; "
                  "only the classify method can start from it");
}

ModelSource baseModel(const std::filesystem::path& dir, bool accept_classifier) {
  return baseModel(inspectHfModel(dir), accept_classifier);
}

QuantOptions quantizeWhileLoading(const PeftChoice& peft, torch::Device device) {
  if (!device.is_cpu() || !peft.adapter()) return {};
  return QuantOptions{parseQuantKind(peft.base_quant), peft.base_quant_double};
}

ModelSource baseModel(const HfModelInfo& info, bool accept_classifier, const QuantOptions& quantize) {
  const std::filesystem::path& dir = info.dir;
  ModelSource source;
  if (info.isClassifier()) {
    if (!accept_classifier) refuseClassifierBase(dir);
    SequenceClassifier classifier = loadSequenceClassifier(info);
    source.model = classifier.backbone;
    source.hf_config = info.config;
    source.classifier_labels = classifier.labels;
    source.classifier_score = classifier.score;
  } else {
    source.model = loadHfModel(info, quantize);
    source.hf_config = info.config;
  }
  bool readable = false;
  for (const auto& file : tokenizerFiles(dir)) {
    const std::string name = file.filename().string();
    source.tokenizer_files.emplace_back(file, name);
    readable = readable || name == "tokenizer.model" || name == "tokenizer.json";
  }
  if (!readable) {
    throwInputError(dir.string() +
                    ": no tokenizer.model or tokenizer.json next to the model; Temper needs the "
                    "model's own tokenizer to read text for it");
  }
  source.tokenizer = dir;
  source.description = std::filesystem::absolute(dir).lexically_normal().string();
  source.base_dir = std::filesystem::absolute(dir).lexically_normal();
  source.base_weight_files = info.weight_files;
  return source;
}

namespace {

/// QLoRA (`base-quant`): the base's projections stored quantised before the adapter attaches, so
/// that LoRA starts from (and DoRA's magnitudes are measured on) the weights it will train against.
void quantizeBase(ModelSource& source) {
  QuantOptions options;
  options.kind = parseQuantKind(source.peft.base_quant);
  options.double_quant = source.peft.base_quant_double;
  quantizeProjections(*source.model, options);
}

}  // namespace

void startTraining(ModelSource& source, uint64_t seed) {
  if (!source.peft.adapter()) return;
  if (source.base_dir.empty()) throwConfigError("`peft` " + source.peft.kind + " needs a base model to adapt");
  torch::manual_seed(seed);
  quantizeBase(source);
  if (source.peft.kind == "prompt-tuning") {
    std::vector<int64_t> text_ids;
    if (source.peft.prompt.init == "text") {
      // As PEFT tokenizes the init text: with the tokenizer's leading special ids (Llama's bos).
      auto tokenizer = openTokenizer(source.tokenizer);
      for (int id : tokenizer->prefixIds()) text_ids.push_back(id);
      for (int id : tokenizer->encode(source.peft.prompt.init_text)) text_ids.push_back(id);
    }
    source.adapter = std::make_shared<PromptTuningAdapter>(source.model, source.peft.prompt, text_ids);
  } else if (source.peft.kind == "prefix-tuning") {
    source.adapter = std::make_shared<PrefixTuningAdapter>(source.model, source.peft.prefix);
  } else if (source.peft.kind == "adapters") {
    source.adapter = std::make_shared<BottleneckAdapter>(source.model, source.peft.adapters);
  } else {
    source.adapter = std::make_shared<LoraAdapter>(source.model, source.peft.lora);
  }
  // QLoRA keeps the frozen embedding and head in bf16 as well, once the adapter has said what trains.
  if (source.peft.base_quant != "none") source.model->storeFrozenTables(torch::kBFloat16);
  source.base_fingerprint = baseFingerprint(source.base_weight_files);
}

std::vector<std::pair<std::string, torch::Tensor>> trainedParameters(ModelSource& source, CausalLmImpl& model) {
  if (source.adapter) return source.adapter->tensors();
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : model.named_parameters()) out.emplace_back(item.key(), item.value());
  return out;
}

double learningRateScaleOf(const ModelSource& source, const std::string& name) {
  if (source.peft.kind == "lora" && name.ends_with(".lora_B.weight")) return source.peft.lora.loraplus_lr_ratio;
  return 1.0;
}

void setTrainingMode(ModelSource& source, CausalLmImpl& model, bool training) {
  model.train(training);
  if (source.adapter) source.adapter->setTraining(training);
}

torch::Tensor underReference(const CausalLm& reference, ModelSource& source, CausalLmImpl& model,
                             const std::function<torch::Tensor(CausalLmImpl&)>& forward) {
  torch::NoGradGuard no_grad;
  if (reference) return forward(*reference);
  if (!source.adapter) throw Error(ErrorKind::Internal, "a reference needs a reference model or an adapter to detach");
  Adapter& adapter = *source.adapter;
  const bool training = model.is_training();
  model.eval();
  adapter.detach();
  torch::Tensor out;
  try {
    out = forward(model);
  } catch (...) {
    adapter.attach();
    model.train(training);
    throw;
  }
  adapter.attach();
  model.train(training);
  return out;
}

void saveModelFolder(const ModelSource& source, CausalLmImpl& model, const std::filesystem::path& dir,
                     const ClassifierHead* head) {
  if (source.adapter) {
    Json temper{{"format_version", 1},
                {"kind", source.adapter->kind()},
                {"base_fingerprint", source.base_fingerprint},
                {"base_quant", source.peft.base_quant}};
    if (head != nullptr) temper["labels"] = head->labels;
    writeAdapterFolder(*source.adapter, dir, source.base_dir.string(), head ? "SEQ_CLS" : "CAUSAL_LM", temper,
                       head ? head->score : torch::Tensor());
  } else {
    saveHfModel(model, source.hf_config, dir);
  }
  copyTokenizerFiles(source, dir);
}

void copyTokenizerFiles(const ModelSource& source, const std::filesystem::path& dir) {
  for (const auto& [file, name] : source.tokenizer_files) {
    std::filesystem::copy_file(file, dir / name, std::filesystem::copy_options::overwrite_existing);
  }
}

void loadModelWeightsInto(ModelSource& source, CausalLmImpl& model, const std::filesystem::path& dir,
                          torch::Tensor* score) {
  if (!source.adapter) {
    loadModelWeightsInto(model, dir);
    return;
  }
  const AdapterFolderInfo info = inspectAdapterFolder(dir);
  requireSameBase(info.temper.is_object() ? info.temper.value("base_fingerprint", Json()) : Json(),
                  source.base_weight_files, source.base_dir, "the adapter in " + dir.string());
  loadAdapterTensors(*source.adapter, dir, score);
}

void loadModelWeightsInto(CausalLmImpl& model, const std::filesystem::path& dir) {
  CausalLm loaded = loadHfModel(dir);
  torch::NoGradGuard no_grad;
  auto source = loaded->named_parameters();
  for (auto& item : model.named_parameters()) {
    const torch::Tensor* value = source.find(item.key());
    if (value == nullptr || value->sizes() != item.value().sizes()) {
      throwInputError(dir.string() + ": tensor `" + item.key() + "` is missing or has another shape than the model");
    }
    item.value().copy_(*value);
  }
}

}  // namespace temper
