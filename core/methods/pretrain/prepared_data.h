#pragma once
/// Continued pretraining reads raw text: it is tokenized once with the base's tokenizer into the
/// workspace's dataset cache, keyed by the tokenizer, the inputs (path, size, time) and the split
/// settings, so a second run on the same data starts at once.
#include <filesystem>

#include "core/common/workspace_paths.h"
#include "core/methods/train_config.h"

namespace temper {

/// `config.data` itself when it is a prepared folder (has meta.json); else the cached preparation
/// of its files with `base`'s tokenizer, made now when missing.
std::filesystem::path preparedData(const TrainConfig& config, const std::filesystem::path& base,
                                   const WorkspacePaths& workspace);

}  // namespace temper
