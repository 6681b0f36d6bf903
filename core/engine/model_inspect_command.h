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

/// Whether the folder ships a chat template (tokenizer_config.json `chat_template` or
/// chat_template.jinja), whether or not Temper can render it.
bool folderHasChatTemplate(const std::filesystem::path& dir);

/// Throws Error(InvalidInput) naming the file and key for a folder Temper cannot load (hf_model.h).
ModelInspection inspectModelFolder(const std::filesystem::path& dir);

}  // namespace temper
