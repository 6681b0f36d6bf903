#pragma once
/// `temper model inspect DIR`: what a Hugging Face model folder holds, read from config.json, the
/// safetensors headers and the tokenizer files' names only (no weights are read: fast on folders
/// of many GB). Also the shape the memory estimate needs (`temper train --dry-run`).
#include <filesystem>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/model/model_shape.h"

namespace temper {

struct ModelInspection {
  std::string family, architecture, model_type, dtype;
  int64_t parameters = 0;
  ModelShape shape;                 ///< layers, hidden, heads, kv_heads, ctx, vocab, ... from config.json
  std::string tokenizer;            ///< "sentencepiece" | "byte-level-bpe" | "none"
  std::string chat_template;        ///< "chatml" | "llama2" | "llama3" | "zephyr" | "none" | "unsupported"
  std::string task;                 ///< "causal-lm" or "sequence-classification"
  std::vector<std::string> labels;  ///< a classifier's labels in id order
  std::vector<std::string> files;   ///< weight files, relative to the folder
  uint64_t bytes = 0;               ///< their size on disk

  /// The contract of `temper model inspect --json` (docs/cli.md), plus head_dim, intermediate, tied.
  Json toJson() const;
};

/// `temper model inspect` on a PEFT adapter folder (docs/peft.md): what it is and what it needs,
/// from adapter_config.json and the safetensors header only.
struct AdapterInspection {
  std::string kind;       ///< lora, adapters, prompt-tuning
  std::string peft_type;  ///< LORA, BOTTLENECK, PROMPT_TUNING, PREFIX_TUNING
  std::string task_type;
  std::string base;  ///< base_model_name_or_path as written
  bool base_on_disk = false;
  Json targets;                      ///< LoRA's target_modules (a list or a regex); null for a soft prompt
  Json settings;                     ///< the kind's numbers: r, lora_alpha, use_dora, ... or num_virtual_tokens
  int64_t trainable_parameters = 0;  ///< the values in adapter_model.safetensors
  uint64_t bytes = 0;                ///< adapter_model.safetensors on disk
  bool trained_here = false;         ///< has temper_adapter.json (the base's fingerprint)

  Json toJson() const;
};

/// Throws Error(InvalidInput) naming the file for a folder that is no adapter Temper can load.
AdapterInspection inspectAdapter(const std::filesystem::path& dir);

/// Whether the folder ships a chat template (tokenizer_config.json `chat_template` or
/// chat_template.jinja), whether or not Temper can render it.
bool folderHasChatTemplate(const std::filesystem::path& dir);

/// Throws Error(InvalidInput) naming the file and key for a folder Temper cannot load (hf_model.h).
ModelInspection inspectModelFolder(const std::filesystem::path& dir);

}  // namespace temper
