#include "core/peft/adapter_folder.h"

#include <algorithm>

#include "core/common/error.h"
#include "core/peft/bottleneck.h"
#include "core/peft/lora.h"
#include "core/peft/prefix_tuning.h"
#include "core/peft/prompt_tuning.h"
#include "core/tensor_io/torch_safetensors.h"

namespace temper {
namespace {

std::string kindOfPeftType(const std::string& peft_type) {
  if (peft_type == "LORA") return "lora";
  if (peft_type == "PROMPT_TUNING") return "prompt-tuning";
  if (peft_type == "PREFIX_TUNING") return "prefix-tuning";
  if (peft_type == "BOTTLENECK") return "adapters";  // Temper's own (docs/peft.md); PEFT has no such type
  return "";
}

template <typename T>
T configValue(const Json& config, const char* key, T fallback, const std::string& source) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  try {
    return config[key].get<T>();
  } catch (const Json::exception&) {
    throwInputError(source + ": `" + key + "` has the wrong type (" + config[key].dump() + ")");
  }
}

LoraOptions loraOptionsFromConfig(const Json& c, const std::string& source) {
  LoraOptions o;
  o.r = configValue<int64_t>(c, "r", 8, source);
  o.alpha = configValue<double>(c, "lora_alpha", 8.0, source);
  o.dropout = configValue<double>(c, "lora_dropout", 0.0, source);
  o.rslora = configValue<bool>(c, "use_rslora", false, source);
  o.dora = configValue<bool>(c, "use_dora", false, source);
  const std::string bias = configValue<std::string>(c, "bias", "none", source);
  if (bias != "none" && bias != "all" && bias != "lora_only") {
    throwInputError(source + ": `bias` is `" + bias + "`; PEFT knows none, all and lora_only");
  }
  o.bias = bias == "lora_only" ? "lora-only" : bias;
  if (c.contains("modules_to_save") && c["modules_to_save"].is_array()) {
    for (const auto& m : c["modules_to_save"]) {
      // A SEQ_CLS folder's `score` / `classifier` name its label head, which lives beside the
      // backbone and is loaded as the head (loadTensorsFile), not trained in place.
      const std::string name = m.get<std::string>();
      if (name != "score" && name != "classifier") o.modules_to_save.push_back(name);
    }
  }
  // Options that change which layers get which rank: Temper trains one rank everywhere, so a
  // folder that uses them is refused rather than loaded differently.
  for (const char* key : {"rank_pattern", "alpha_pattern"}) {
    if (c.contains(key) && c[key].is_object() && !c[key].empty()) {
      throwInputError(source + ": `" + key + "` (per-layer ranks) is not supported by Temper");
    }
  }
  for (const char* key : {"layers_to_transform", "target_parameters", "trainable_token_indices"}) {
    if (c.contains(key) && !c[key].is_null() && !(c[key].is_array() && c[key].empty())) {
      throwInputError(source + ": `" + key + "` is not supported by Temper");
    }
  }
  if (configValue<bool>(c, "lora_bias", false, source)) {
    throwInputError(source + ": `lora_bias` (a bias on lora_B) is not supported by Temper");
  }
  return o;
}

std::shared_ptr<Adapter> promptTuningFromConfig(const Json& c, const std::string& source, CausalLm model) {
  PromptTuningOptions options;
  options.tokens = configValue<int64_t>(c, "num_virtual_tokens", 0, source);
  const int64_t token_dim = configValue<int64_t>(c, "token_dim", model->hiddenSize(), source);
  if (token_dim != model->hiddenSize()) {
    throwInputError(source + ": `token_dim` is " + std::to_string(token_dim) + " but the model's hidden size is " +
                    std::to_string(model->hiddenSize()) + "; this soft prompt was trained for another base");
  }
  if (configValue<int64_t>(c, "num_transformer_submodules", 1, source) != 1) {
    throwInputError(source + ": `num_transformer_submodules` must be 1 (a decoder-only model)");
  }
  options.init = "random";  // overwritten by the file's tensor
  try {
    return std::make_shared<PromptTuningAdapter>(model, options);
  } catch (const Error& e) {
    throwInputError(source + ": " + e.what());
  }
}

std::shared_ptr<Adapter> prefixTuningFromConfig(const Json& c, const std::string& source, CausalLm model) {
  // The shape the file's prefixes were made for must be this model's, key by key, as PEFT's
  // config describes it (token_dim and num_attention_heads count the key/value heads).
  const int64_t width = model->keyValueHeads() * model->headDim();
  auto requireEqual = [&](const char* key, int64_t model_value, const std::string& what) {
    const int64_t value = configValue<int64_t>(c, key, model_value, source);
    if (value != model_value) {
      throwInputError(source + ": `" + key + "` is " + std::to_string(value) + " but the model's " + what + " is " +
                      std::to_string(model_value) + "; this prefix was trained for another base");
    }
  };
  requireEqual("num_layers", model->layerCount(), "layer count");
  requireEqual("num_attention_heads", model->keyValueHeads(), "key/value head count");
  requireEqual("token_dim", width, "key/value width (heads × head dim)");
  if (configValue<int64_t>(c, "num_transformer_submodules", 1, source) != 1) {
    throwInputError(source + ": `num_transformer_submodules` must be 1 (a decoder-only model)");
  }
  PrefixTuningOptions options;
  options.tokens = configValue<int64_t>(c, "num_virtual_tokens", 0, source);
  // The file holds the prefixes themselves (PEFT saves a projection's output), so they are loaded
  // as a plain table whatever `prefix_projection` says; the table is drawn and then overwritten.
  options.projection = false;
  try {
    return std::make_shared<PrefixTuningAdapter>(model, options);
  } catch (const Error& e) {
    throwInputError(source + ": " + e.what());
  }
}

std::shared_ptr<Adapter> bottleneckFromConfig(const Json& c, const std::string& source, CausalLm model) {
  BottleneckOptions options;
  options.placement = configValue<std::string>(c, "placement", "", source);
  options.reduction = configValue<int64_t>(c, "reduction_factor", 0, source);
  options.act = configValue<std::string>(c, "non_linearity", "", source);
  options.scaling = configValue<double>(c, "scaling", 1.0, source);
  const int64_t hidden = configValue<int64_t>(c, "hidden_size", model->hiddenSize(), source);
  if (hidden != model->hiddenSize()) {
    throwInputError(source + ": `hidden_size` is " + std::to_string(hidden) + " but the model's is " +
                    std::to_string(model->hiddenSize()) + "; these adapters were trained for another base");
  }
  if (!c.contains("layers") || !c["layers"].is_array()) throwInputError(source + ": `layers` (a list) is missing");
  options.layers.clear();
  for (const auto& layer : c["layers"]) {
    if (!layer.is_number_integer())
      throwInputError(source + ": `layers` holds " + layer.dump() + ", not a block index");
    options.layers += (options.layers.empty() ? "" : ",") + std::to_string(layer.get<int64_t>());
  }
  if (options.layers.empty()) throwInputError(source + ": `layers` is empty");
  try {
    return std::make_shared<BottleneckAdapter>(model, options);
  } catch (const Error& e) {
    throwInputError(source + ": " + e.what());
  }
}

/// The adapter's tensors of `file` into `adapter`, and its label head (SEQ_CLS) into `score`.
void loadTensorsFile(Adapter& adapter, const std::filesystem::path& file, torch::Tensor* score) {
  std::map<std::string, torch::Tensor> values;
  for (auto& [name, tensor] : loadAllTensors(file)) values[name] = tensor.to(torch::kFloat32);
  if (score != nullptr) {
    // Either name: a folder PEFT wrote for the other wrapping depth is still the same head.
    torch::Tensor found;
    for (const std::string& name : {classifierHeadTensorName("lora"), classifierHeadTensorName("prompt-tuning")}) {
      auto it = values.find(name);
      if (it == values.end()) continue;
      found = it->second;
      values.erase(it);
    }
    if (!found.defined() || found.dim() != 2) {
      throwInputError(file.string() + ": a SEQ_CLS adapter needs its label head `" +
                      classifierHeadTensorName(adapter.kind()) + "` ((labels, hidden)), which is missing");
    }
    *score = found;
  }
  adapter.loadTensors(values, file.string());
}

/// modules_to_save as PEFT writes it for a sequence classifier: the kind's own list (LoRA's
/// `modules-to-save`) and the head's two possible names.
Json withClassifierModules(const Json& modules) {
  Json out = modules.is_array() ? modules : Json::array();
  for (const char* name : {"classifier", "score"}) {
    if (std::find(out.begin(), out.end(), Json(name)) == out.end()) out.push_back(name);
  }
  return out;
}

}  // namespace

std::string classifierHeadTensorName(const std::string& kind) {
  const bool prompt_learning = kind == "prompt-tuning" || kind == "prefix-tuning";
  return prompt_learning ? "base_model.score.weight" : "base_model.model.score.weight";
}

bool isAdapterFolder(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(dir / kAdapterConfigFile, ec);
}

std::filesystem::path AdapterFolderInfo::baseDir() const {
  if (base.empty()) return {};
  std::filesystem::path path = base;
  if (path.is_relative()) path = dir / path;
  std::error_code ec;
  return std::filesystem::is_directory(path, ec) ? path.lexically_normal() : std::filesystem::path();
}

AdapterFolderInfo inspectAdapterFolder(const std::filesystem::path& dir) {
  AdapterFolderInfo info;
  info.dir = dir;
  const std::filesystem::path file = dir / kAdapterConfigFile;
  if (!std::filesystem::exists(file)) throwInputError(dir.string() + ": no " + kAdapterConfigFile + "; not an adapter");
  info.config = readJsonFile(file);
  const std::string source = file.string();
  if (!info.config.is_object()) throwInputError(source + ": expected a JSON object");
  info.peft_type = configValue<std::string>(info.config, "peft_type", "", source);
  info.kind = kindOfPeftType(info.peft_type);
  if (info.kind.empty()) {
    throwInputError(source + ": `peft_type` is `" + info.peft_type +
                    "`; Temper loads LORA, PROMPT_TUNING, PREFIX_TUNING and BOTTLENECK adapters");
  }
  info.task_type = configValue<std::string>(info.config, "task_type", "CAUSAL_LM", source);
  if (info.task_type != "CAUSAL_LM" && info.task_type != "SEQ_CLS") {
    throwInputError(source + ": `task_type` is `" + info.task_type + "`; Temper loads CAUSAL_LM and SEQ_CLS adapters");
  }
  info.base = configValue<std::string>(info.config, "base_model_name_or_path", "", source);
  if (std::filesystem::exists(dir / kAdapterTemperFile)) info.temper = readJsonFile(dir / kAdapterTemperFile);
  if (!std::filesystem::exists(dir / kAdapterWeightsFile)) {
    throwInputError(dir.string() + ": no " + kAdapterWeightsFile +
                    (std::filesystem::exists(dir / "adapter_model.bin") ? " (adapter_model.bin is a pickle; Temper "
                                                                          "never loads pickles)"
                                                                        : ""));
  }
  return info;
}

void writeAdapterFolder(Adapter& adapter, const std::filesystem::path& dir, const std::string& base,
                        const std::string& task_type, const Json& temper, const torch::Tensor& score) {
  std::filesystem::create_directories(dir);
  Json config = adapter.peftConfig();
  config["task_type"] = task_type;
  if (score.defined()) config["modules_to_save"] = withClassifierModules(config.value("modules_to_save", Json()));
  config["base_model_name_or_path"] = base;
  config["inference_mode"] = true;
  config["revision"] = nullptr;
  torch::NoGradGuard no_grad;
  auto forFile = [](std::vector<std::pair<std::string, torch::Tensor>> tensors) {
    for (auto& entry : tensors) entry.second = entry.second.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return tensors;
  };
  auto trained = adapter.tensors(), saved = adapter.peftTensors();
  if (score.defined()) {
    for (auto* list : {&trained, &saved}) list->emplace_back(classifierHeadTensorName(adapter.kind()), score);
  }
  const Json metadata = {{"format", "pt"}, {"producer", "temper"}};
  saveTensors(dir / kAdapterWeightsFile, forFile(saved), metadata);
  auto nameOf = [](const auto& entry) { return entry.first; };
  if (!std::equal(trained.begin(), trained.end(), saved.begin(), saved.end(),
                  [&](const auto& a, const auto& b) { return nameOf(a) == nameOf(b); })) {
    saveTensors(dir / kAdapterTrainingFile, forFile(trained), metadata);
  }
  writeJsonFileAtomic(dir / kAdapterConfigFile, config);
  if (!temper.is_null()) writeJsonFileAtomic(dir / kAdapterTemperFile, temper);
}

std::shared_ptr<Adapter> loadAdapter(const AdapterFolderInfo& info, CausalLm model, torch::Tensor* score) {
  const std::string source = (info.dir / kAdapterConfigFile).string();
  std::shared_ptr<Adapter> adapter;
  if (info.kind == "prompt-tuning") {
    adapter = promptTuningFromConfig(info.config, source, model);
  } else if (info.kind == "prefix-tuning") {
    adapter = prefixTuningFromConfig(info.config, source, model);
  } else if (info.kind == "adapters") {
    adapter = bottleneckFromConfig(info.config, source, model);
  } else {
    if (!info.config.contains("target_modules")) throwInputError(source + ": `target_modules` is missing");
    TargetSpec targets = targetSpecFromJson(info.config["target_modules"], source);
    const LoraOptions options = loraOptionsFromConfig(info.config, source);
    try {
      adapter = std::make_shared<LoraAdapter>(model, options, targets);
    } catch (const Error& e) {
      throwInputError(source + ": " + e.what());
    }
  }
  loadTensorsFile(*adapter, info.dir / kAdapterWeightsFile, score);
  return adapter;
}

void loadAdapterTensors(Adapter& adapter, const std::filesystem::path& dir, torch::Tensor* score) {
  const bool training_file = std::filesystem::exists(dir / kAdapterTrainingFile);
  loadTensorsFile(adapter, dir / (training_file ? kAdapterTrainingFile : kAdapterWeightsFile), score);
}

}  // namespace temper
