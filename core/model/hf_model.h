#pragma once
/// Hugging Face model folders of any supported family, behind one door: inspect (config and
/// safetensors headers only, nothing allocated), load into a CausalLm (fp32 on the CPU; callers
/// move it), save back in the layout the model came in. The family is chosen from config.json's
/// `model_type` / `architectures`; each family's own file (hf_gpt2.cpp, hf_llama.cpp) does the
/// tensor mapping.
///
/// A folder is inspected once: the HfModelInfo carries the parsed config.json and the opened weight
/// index, and everything after (family checks, labels, loading, the dry run's shape) reads it
/// instead of reading the folder again.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/model/causal_lm.h"
#include "core/tensor_io/model_weights.h"

namespace temper {

struct HfModelInfo {
  std::filesystem::path dir;
  std::string family;        ///< "gpt2" or "llama" (Llama, Mistral and Qwen2 share one implementation)
  std::string architecture;  ///< architectures[0], e.g. "LlamaForCausalLM"
  std::string model_type;    ///< config.json's model_type
  /// "causal-lm" (…ForCausalLM, GPT2LMHeadModel) or "sequence-classification"
  /// (…ForSequenceClassification: a backbone plus a `score` head, sequence_classifier.h).
  std::string task;
  std::vector<std::string> labels;  ///< a classifier's labels in id order (id2label)
  Json config;                      ///< config.json as read: saved back with its original keys
  std::string dtype;                ///< dtype of most weight bytes: "F32", "F16" or "BF16"
  int64_t parameters = 0;           ///< from the safetensors headers (a tied head counted once)
  std::vector<std::filesystem::path> weight_files;
  uint64_t weight_bytes = 0;
  /// The safetensors headers, opened once (shared: copies of the info share the open files).
  std::shared_ptr<const ModelWeights> weights;

  bool isClassifier() const { return task == "sequence-classification"; }
  std::filesystem::path configPath() const { return dir / "config.json"; }
};

/// Reads config.json and the safetensors headers of `dir`. Throws Error(InvalidInput) naming the
/// file and key for a missing or unreadable config, an unknown architecture (listing the known
/// ones), missing weights or a pickle-only folder (refused, never loaded).
HfModelInfo inspectHfModel(const std::filesystem::path& dir);

/// Loads the model of `dir` in fp32 on the CPU. `info` receives what inspectHfModel returns.
/// For a classifier folder this is its backbone (the `score` head is read by
/// loadSequenceClassifier); callers that generate text must check `info.task`.
CausalLm loadHfModel(const std::filesystem::path& dir, HfModelInfo* info = nullptr);
/// The same for a folder already inspected: reads only the tensors. `quantize` (QLoRA on the CPU):
/// the projections are quantised as they are read, so the base's full-precision projections never
/// exist in memory together (hf_gpt2.h); not for a classifier folder.
CausalLm loadHfModel(const HfModelInfo& info, const QuantOptions& quantize = {});

/// Writes config.json (`original_config` with the model's shape keys; empty: the family's defaults)
/// and the weights, named as the family's Hugging Face files name them, into `dir`. Not atomic by
/// itself: checkpoints write into a temporary folder and rename it (train/checkpoint.cpp).
void saveHfModel(CausalLmImpl& model, const Json& original_config, const std::filesystem::path& dir);

/// The tokenizer files of a model folder that travel with it when it is saved or exported.
std::vector<std::filesystem::path> tokenizerFiles(const std::filesystem::path& dir);

}  // namespace temper
