#include "core/model/hf_model.h"

#include <map>

#include "core/common/error.h"
#include "core/model/gpt.h"
#include "core/model/hf_gpt2.h"
#include "core/model/hf_llama.h"
#include "core/tensor_io/model_weights.h"

namespace temper {
namespace {

struct FamilyName {
  const char* architecture;
  const char* model_type;
  const char* family;
  const char* task;
};

constexpr const char* kCausal = "causal-lm";
constexpr const char* kClassifier = "sequence-classification";

// Llama, Mistral and Qwen2 differ only in what their config.json switches on (GQA, biases, sliding
// window left unused here): one implementation (llama.h) serves all three.
// A bare model_type (no `architectures`) means the causal model: the first entry of its type.
constexpr FamilyName kFamilies[] = {
    {"GPT2LMHeadModel", "gpt2", "gpt2", kCausal},
    {"LlamaForCausalLM", "llama", "llama", kCausal},
    {"MistralForCausalLM", "mistral", "llama", kCausal},
    {"Qwen2ForCausalLM", "qwen2", "llama", kCausal},
    {"GPT2ForSequenceClassification", "gpt2", "gpt2", kClassifier},
    {"LlamaForSequenceClassification", "llama", "llama", kClassifier},
    {"MistralForSequenceClassification", "mistral", "llama", kClassifier},
    {"Qwen2ForSequenceClassification", "qwen2", "llama", kClassifier},
};

std::string knownArchitectures() {
  std::string text;
  for (const auto& f : kFamilies) text += (text.empty() ? "" : ", ") + std::string(f.architecture);
  return text;
}

void identifyFamily(const Json& config, const std::filesystem::path& config_path, HfModelInfo& info) {
  if (!config.is_object()) throwInputError(config_path.string() + ": not a JSON object");
  info.model_type = config.value("model_type", std::string());
  if (config.contains("architectures") && config["architectures"].is_array() && !config["architectures"].empty() &&
      config["architectures"][0].is_string()) {
    info.architecture = config["architectures"][0].get<std::string>();
  }
  for (const auto& f : kFamilies) {
    if (info.architecture == f.architecture || (info.architecture.empty() && info.model_type == f.model_type)) {
      info.family = f.family;
      info.task = f.task;
      if (info.architecture.empty()) info.architecture = f.architecture;
      if (info.model_type.empty()) info.model_type = f.model_type;
      return;
    }
  }
  std::string what = !info.architecture.empty() ? "architecture `" + info.architecture + "`"
                     : !info.model_type.empty() ? "model_type `" + info.model_type + "`"
                                                : "no `architectures` or `model_type`";
  throwInputError(config_path.string() + ": " + what +
                  " is not one Temper can load; supported: " + knownArchitectures());
}

// Buffers some exporters store next to the weights; they are recomputed, never parameters.
bool isBufferName(const std::string& name) {
  return name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias") || name.ends_with("rotary_emb.inv_freq");
}

bool tiedEmbeddings(const HfModelInfo& info) {
  // GPT-2's head is always the embedding; the Llama family defaults to untied.
  return info.config.value("tie_word_embeddings", info.family == "gpt2");
}

// Labels in id order from id2label (ids 0..K-1, each once); transformers' LABEL_i names when
// the config has only num_labels.
std::vector<std::string> classifierLabels(const Json& config, const std::filesystem::path& config_path) {
  std::vector<std::string> labels;
  if (config.contains("id2label") && config["id2label"].is_object() && !config["id2label"].empty()) {
    const Json& id2label = config["id2label"];
    labels.resize(id2label.size());
    std::vector<bool> seen(id2label.size(), false);
    for (const auto& [key, value] : id2label.items()) {
      size_t id = 0, used = 0;
      try {
        id = std::stoul(key, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != key.size() || id >= labels.size() || seen[id] || !value.is_string()) {
        throwInputError(config_path.string() + ": `id2label` must map the ids 0 to " +
                        std::to_string(labels.size() - 1) + " once each to a label name; entry \"" + key +
                        "\" does not");
      }
      seen[id] = true;
      labels[id] = value.get<std::string>();
    }
  } else if (config.contains("num_labels") && config["num_labels"].is_number_integer() &&
             config["num_labels"].get<int64_t>() >= 1) {
    for (int64_t i = 0; i < config["num_labels"].get<int64_t>(); ++i) labels.push_back("LABEL_" + std::to_string(i));
  } else {
    throwInputError(config_path.string() + ": a sequence classifier needs `id2label` (or `num_labels`)");
  }
  return labels;
}

}  // namespace

HfModelInfo inspectHfModel(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) throwInputError(dir.string() + ": not a folder");
  const auto config_path = dir / "config.json";
  if (!std::filesystem::exists(config_path)) {
    throwInputError(dir.string() +
                    ": no config.json; a Hugging Face model folder has config.json and "
                    "model.safetensors (or sharded model-0000N-of-0000M.safetensors with an index)");
  }
  HfModelInfo info;
  info.dir = dir;
  info.config = readJsonFile(config_path);
  identifyFamily(info.config, config_path, info);

  auto opened = std::make_shared<ModelWeights>(ModelWeights::open(dir));
  const ModelWeights& weights = *opened;
  info.weights = opened;
  info.weight_files = weights.files();
  info.weight_bytes = weights.bytes();
  if (info.task == kClassifier) {
    info.labels = classifierLabels(info.config, config_path);
    const auto score = weights.tensors().find("score.weight");
    if (score == weights.tensors().end()) {
      throwInputError(weights.source().string() + ": a " + info.architecture + " needs the tensor `score.weight`");
    }
    const auto& shape = score->second.info->shape;
    if (shape.size() != 2 || shape[0] != static_cast<int64_t>(info.labels.size())) {
      throwInputError(weights.source().string() + ": tensor `score.weight` must have one row per label (" +
                      std::to_string(info.labels.size()) + " in config.json)");
    }
  }
  const bool tied = tiedEmbeddings(info);
  std::map<std::string, uint64_t> bytes_by_dtype;
  for (const auto& [name, entry] : weights.tensors()) {
    if (isBufferName(name)) continue;
    if (tied && name == "lm_head.weight") continue;
    info.parameters += entry.info->numel();
    bytes_by_dtype[std::string(dtypeName(entry.info->dtype))] += entry.info->bytes();
  }
  uint64_t most = 0;
  for (const auto& [dtype, bytes] : bytes_by_dtype) {
    if (bytes > most) most = bytes, info.dtype = dtype;
  }
  return info;
}

CausalLm loadHfModel(const std::filesystem::path& dir, HfModelInfo* info_out) {
  HfModelInfo info = inspectHfModel(dir);
  CausalLm model = loadHfModel(info);
  if (info_out != nullptr) *info_out = std::move(info);
  return model;
}

CausalLm loadHfModel(const HfModelInfo& info, const QuantOptions& quantize) {
  const bool classifier = info.isClassifier();
  const std::string source = info.configPath().string();
  const QuantOptions on_load = classifier ? QuantOptions{} : quantize;
  if (info.family == "gpt2") return loadGptHf(info.config, source, *info.weights, classifier, on_load).ptr();
  return loadLlamaHf(info.config, source, *info.weights, classifier, on_load);
}

void saveHfModel(CausalLmImpl& model, const Json& original_config, const std::filesystem::path& dir) {
  if (auto* gpt = dynamic_cast<GptImpl*>(&model)) {
    saveGptHf(*gpt, original_config, dir);
  } else {
    saveLlamaHf(model, original_config, dir);
  }
}

std::vector<std::filesystem::path> tokenizerFiles(const std::filesystem::path& dir) {
  static const char* const kNames[] = {"tokenizer.model",
                                       "tokenizer.json",
                                       "tokenizer_config.json",
                                       "special_tokens_map.json",
                                       "generation_config.json",
                                       "added_tokens.json",
                                       "vocab.json",
                                       "merges.txt"};
  std::vector<std::filesystem::path> files;
  for (const char* name : kNames) {
    if (std::filesystem::is_regular_file(dir / name)) files.push_back(dir / name);
  }
  return files;
}

}  // namespace temper
