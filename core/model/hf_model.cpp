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
};

// Llama, Mistral and Qwen2 differ only in what their config.json switches on (GQA, biases, sliding
// window left unused here): one implementation (llama.h) serves all three.
constexpr FamilyName kFamilies[] = {
    {"GPT2LMHeadModel", "gpt2", "gpt2"},
    {"LlamaForCausalLM", "llama", "llama"},
    {"MistralForCausalLM", "mistral", "llama"},
    {"Qwen2ForCausalLM", "qwen2", "llama"},
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
      if (info.architecture.empty()) info.architecture = f.architecture;
      if (info.model_type.empty()) info.model_type = f.model_type;
      return;
    }
  }
  std::string what = !info.architecture.empty() ? "architecture `" + info.architecture + "`"
                     : !info.model_type.empty() ? "model_type `" + info.model_type + "`"
                                                : "no `architectures` or `model_type`";
  throwInputError(config_path.string() + ": " + what + " is not one Temper can load; supported: " +
                  knownArchitectures());
}

// Buffers some exporters store next to the weights; they are recomputed, never parameters.
bool isBufferName(const std::string& name) {
  return name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias") || name.ends_with("rotary_emb.inv_freq");
}

bool tiedEmbeddings(const HfModelInfo& info) {
  // GPT-2's head is always the embedding; the Llama family defaults to untied.
  return info.config.value("tie_word_embeddings", info.family == "gpt2");
}

}  // namespace

HfModelInfo inspectHfModel(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) throwInputError(dir.string() + ": not a folder");
  const auto config_path = dir / "config.json";
  if (!std::filesystem::exists(config_path)) {
    throwInputError(dir.string() + ": no config.json; a Hugging Face model folder has config.json and "
                    "model.safetensors (or sharded model-0000N-of-0000M.safetensors with an index)");
  }
  HfModelInfo info;
  info.dir = dir;
  info.config = readJsonFile(config_path);
  identifyFamily(info.config, config_path, info);

  ModelWeights weights = ModelWeights::open(dir);
  info.weight_files = weights.files();
  info.weight_bytes = weights.bytes();
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
  CausalLm model;
  if (info.family == "gpt2") {
    model = loadGptHf(dir).ptr();
  } else {
    model = loadLlamaHf(dir);
  }
  if (info_out != nullptr) *info_out = std::move(info);
  return model;
}

void saveHfModel(CausalLmImpl& model, const Json& original_config, const std::filesystem::path& dir) {
  if (auto* gpt = dynamic_cast<GptImpl*>(&model)) {
    saveGptHf(*gpt, original_config, dir);
  } else {
    saveLlamaHf(model, original_config, dir);
  }
}

std::vector<std::filesystem::path> tokenizerFiles(const std::filesystem::path& dir) {
  static const char* const kNames[] = {"tokenizer.model",        "tokenizer.json",         "tokenizer_config.json",
                                       "special_tokens_map.json", "generation_config.json", "added_tokens.json",
                                       "vocab.json",              "merges.txt"};
  std::vector<std::filesystem::path> files;
  for (const char* name : kNames) {
    if (std::filesystem::is_regular_file(dir / name)) files.push_back(dir / name);
  }
  return files;
}

}  // namespace temper
