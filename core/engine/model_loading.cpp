#include "core/engine/model_loading.h"

#include "core/common/cpu_features.h"
#include "core/common/error.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {

std::string resolveInferencePrecision(const std::string& key, const std::string& device) {
  if (key == "fp32" || key == "bf16") return key;
  if (key != "auto" && !key.empty()) throwConfigError("`precision` is \"" + key + "\"; allowed: auto, fp32, bf16");
  return device == "cpu" && cpuFeatures().hasFastBf16() ? "bf16" : "fp32";
}

LoadedModel loadModelForInference(const std::filesystem::path& dir, const std::string& device,
                                  const std::string& precision) {
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
  return loaded;
}

}  // namespace temper
