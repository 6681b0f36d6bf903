#pragma once
/// PEFT's folder layout for adapters (docs/peft.md): `adapter_config.json` (peft_type, task_type,
/// base_model_name_or_path, the kind's keys) and `adapter_model.safetensors` (PEFT's tensor names),
/// so `PeftModel.from_pretrained(base, dir)` loads what Temper trains and Temper loads what PEFT
/// wrote. Temper adds `temper_adapter.json` (the base's weight fingerprint, for resume), which
/// PEFT ignores.
#include <filesystem>
#include <memory>
#include <string>

#include "core/common/json_io.h"
#include "core/model/causal_lm.h"
#include "core/peft/adapter.h"

namespace temper {

constexpr const char* kAdapterConfigFile = "adapter_config.json";
constexpr const char* kAdapterWeightsFile = "adapter_model.safetensors";
constexpr const char* kAdapterTemperFile = "temper_adapter.json";
/// The trained tensors where they differ from what PEFT's file holds (Adapter::peftTensors).
constexpr const char* kAdapterTrainingFile = "temper_training.safetensors";

/// True when `dir` holds an adapter_config.json.
bool isAdapterFolder(const std::filesystem::path& dir);

struct AdapterFolderInfo {
  std::filesystem::path dir;
  Json config;            ///< adapter_config.json as read
  std::string peft_type;  ///< "LORA", ...
  std::string kind;       ///< Temper's name of it ("lora")
  std::string task_type;  ///< "CAUSAL_LM" or "SEQ_CLS"
  std::string base;       ///< base_model_name_or_path ("" when absent)
  Json temper;            ///< temper_adapter.json (null when absent: a folder PEFT wrote)
  /// The base folder on disk: `base` when it names a folder (relative paths from `dir`), else empty.
  std::filesystem::path baseDir() const;
};

/// Reads and checks adapter_config.json. Throws Error(InvalidInput) naming the file and key for a
/// missing file, bad JSON, or a peft_type Temper cannot load (listing the ones it can).
AdapterFolderInfo inspectAdapterFolder(const std::filesystem::path& dir);

/// The name PEFT gives a SEQ_CLS adapter's label head (`score`, always in its modules_to_save):
/// `base_model.model.score.weight` beside LoRA and bottleneck adapters, `base_model.score.weight`
/// beside a soft prompt or prefix (PEFT's prompt-learning models wrap the base one level less).
std::string classifierHeadTensorName(const std::string& kind);

/// Writes the adapter's config and tensors into `dir` (created if missing). `base` is written as
/// base_model_name_or_path; `temper` as temper_adapter.json. A SEQ_CLS adapter passes its label
/// head as `score` ((labels, hidden)): saved under classifierHeadTensorName, with `score` and
/// `classifier` in modules_to_save, as PEFT saves a sequence classifier's. Not atomic by itself:
/// checkpoints and final/ are written into a temporary folder that is renamed
/// (train/checkpoint.cpp).
void writeAdapterFolder(Adapter& adapter, const std::filesystem::path& dir, const std::string& base,
                        const std::string& task_type, const Json& temper, const torch::Tensor& score = {});

/// Builds the folder's adapter on `model` (which it freezes) and attaches it. Throws
/// Error(InvalidInput) naming the file for targets that match no module, missing or surplus
/// tensors, wrong shapes. A SEQ_CLS folder's label head goes to `score` (required then; a
/// CAUSAL_LM folder has none).
std::shared_ptr<Adapter> loadAdapter(const AdapterFolderInfo& info, CausalLm model, torch::Tensor* score = nullptr);

/// Copies the tensors of an adapter folder written for `adapter` into it (resume): the trained
/// tensors, from temper_training.safetensors where the folder has one; the label head into
/// `score` as loadAdapter does.
void loadAdapterTensors(Adapter& adapter, const std::filesystem::path& dir, torch::Tensor* score = nullptr);

}  // namespace temper
