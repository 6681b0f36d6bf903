#pragma once
/// A Hugging Face model folder opened for inference: the model (any family, hf_model.h) on the
/// requested device in eval mode, its tokenizer (tokenizer_open.h: tokenizer.model or
/// tokenizer.json with the folder's special ids), and what inspecting the folder found.
#include <filesystem>
#include <memory>
#include <string>

#include "core/model/hf_model.h"
#include "core/peft/adapter.h"
#include "core/tokenizer/tokenizer.h"

namespace temper {

struct LoadedModel {
  CausalLm model;
  std::unique_ptr<Tokenizer> tokenizer;
  HfModelInfo info;
  /// The adapter loaded on top of the base (`--adapter`, or `--model` given an adapter folder);
  /// null for a plain model folder.
  std::shared_ptr<Adapter> adapter;
  std::filesystem::path adapter_dir;
  /// The base's weight fingerprint (base_fingerprint.h), taken when an adapter first needs it.
  Json base_fingerprint;
};

/// Loads the adapter folder `dir` onto `loaded`'s model, in its dtype and on its device, and
/// attaches it (detach any other first). Refuses a folder that is no CAUSAL_LM adapter, or one
/// Temper trained on other base weights (naming the file).
std::shared_ptr<Adapter> loadAdapterForInference(LoadedModel& loaded, const std::filesystem::path& dir);

/// The base and adapter folders that `--model` and `--adapter` name: `model` itself is an adapter
/// folder when it holds adapter_config.json, and its base is then the folder its
/// base_model_name_or_path names. Throws Error(InvalidInput) naming the file when that base is not
/// a folder on this machine (then `--model BASE --adapter DIR` is needed) or when both flags name
/// adapters.
struct ModelAndAdapter {
  std::filesystem::path model_dir;
  std::filesystem::path adapter_dir;  ///< empty: no adapter
};
ModelAndAdapter resolveModelAndAdapter(const std::filesystem::path& model, const std::filesystem::path& adapter);

/// The dtype weights are held in to generate (`--precision` of generate, chat and bench generate):
/// "fp32" or "bf16". `key` auto is bf16 on a CPU that multiplies bf16 in hardware (AMX or
/// AVX512_BF16: decoding reads every weight per token, and bf16 halves those bytes) and fp32
/// elsewhere; fp32 and bf16 force it. Throws Error(InvalidConfig) naming the key otherwise.
std::string resolveInferencePrecision(const std::string& key, const std::string& device);

/// Loads `dir` for inference on `device` ("cpu" or "cuda", as configureRuntime resolved it), its
/// weights converted once to `precision` (resolveInferencePrecision; the KV cache follows them).
/// Throws Error(InvalidInput) naming the folder when it is not a model folder, has no tokenizer,
/// or its tokenizer has more ids than the model's vocabulary.
/// With `adapter_dir`, the adapter folder (adapter_folder.h) is loaded onto the model in the same
/// dtype and attached; an adapter Temper trained is refused when the base's weights differ from
/// the ones it was trained on (naming the file).
LoadedModel loadModelForInference(const std::filesystem::path& dir, const std::string& device,
                                  const std::string& precision = "fp32", const std::filesystem::path& adapter_dir = {});

}  // namespace temper
