#include "core/engine/model_loading.h"

#include "core/common/cpu_features.h"
#include "core/common/error.h"
#include "core/peft/adapter_folder.h"
#include "core/peft/base_fingerprint.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {

std::string resolveInferencePrecision(const std::string& key, const std::string& device) {
  if (key == "fp32" || key == "bf16") return key;
  if (key != "auto" && !key.empty()) throwConfigError("`precision` is \"" + key + "\"; allowed: auto, fp32, bf16");
  return device == "cpu" && cpuFeatures().hasFastBf16() ? "bf16" : "fp32";
}

ModelAndAdapter resolveModelAndAdapter(const std::filesystem::path& model, const std::filesystem::path& adapter) {
  ModelAndAdapter out{model, adapter};
  if (!isAdapterFolder(model)) return out;
  if (!adapter.empty()) {
    throwInputError(model.string() + " is an adapter folder; give its base as --model and the adapter as --adapter");
  }
  const AdapterFolderInfo info = inspectAdapterFolder(model);
  const std::filesystem::path base = info.baseDir();
  if (base.empty()) {
    throwInputError((model / kAdapterConfigFile).string() + ": its base_model_name_or_path `" + info.base +
                    "` is not a folder here; give the base model as --model and this folder as --adapter");
  }
  return {base, model};
}

std::shared_ptr<Adapter> loadAdapterForInference(LoadedModel& loaded, const std::filesystem::path& dir) {
  const AdapterFolderInfo adapter = inspectAdapterFolder(dir);
  if (adapter.task_type != "CAUSAL_LM") {
    throwInputError((dir / kAdapterConfigFile).string() + ": `task_type` is " + adapter.task_type +
                    "; only CAUSAL_LM adapters generate text");
  }
  const Json recorded = adapter.temper.is_object() ? adapter.temper.value("base_fingerprint", Json()) : Json();
  if (recorded.is_object()) {
    if (loaded.base_fingerprint.is_null()) loaded.base_fingerprint = baseFingerprint(loaded.info.weight_files);
    requireSameFingerprint(recorded, loaded.base_fingerprint, loaded.info.dir, "the adapter in " + dir.string());
  }
  std::shared_ptr<Adapter> attached = loadAdapter(adapter, loaded.model);
  attached->setTraining(false);
  return attached;
}

LoadedModel loadModelForInference(const std::filesystem::path& dir, const std::string& device,
                                  const std::string& precision, const std::filesystem::path& adapter_dir) {
  if (!std::filesystem::is_directory(dir)) {
    throwIoError(dir.string() +
                 ": not a model folder (expected config.json, model.safetensors and "
                 "tokenizer.model or tokenizer.json)");
  }
  LoadedModel loaded;
  loaded.model = loadHfModel(dir, &loaded.info);
  if (loaded.info.task == "sequence-classification") {
    throwInputError(dir.string() + ": this is a " + loaded.info.architecture +
                    " (a classifier over its labels), not a language model; `temper eval --model " + dir.string() +
                    " --data RECORDS` scores it on {\"text\", \"label\"} records");
  }
  loaded.tokenizer = openTokenizer(dir);
  const int64_t model_vocab = loaded.model->vocabSize();
  if (loaded.tokenizer->vocabSize() > model_vocab) {
    throwInputError(dir.string() + ": the tokenizer has " + std::to_string(loaded.tokenizer->vocabSize()) +
                    " ids but config.json says vocab_size " + std::to_string(model_vocab));
  }
  if (device == "cuda") loaded.model->to(torch::kCUDA);
  if (precision == "bf16") loaded.model->to(torch::kBFloat16);
  loaded.model->eval();
  if (!adapter_dir.empty()) {
    loaded.adapter = loadAdapterForInference(loaded, adapter_dir);
    loaded.adapter_dir = adapter_dir;
  }
  return loaded;
}

}  // namespace temper
