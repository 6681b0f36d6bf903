#pragma once
/// `temper train --dry-run`: the memory and parameter estimate of a config, from shapes alone —
/// the base model's config.json and safetensors headers, never its weights — so it answers in
/// milliseconds for a model that would not fit.
#include "core/common/json_io.h"
#include "core/engine/runtime.h"
#include "core/train/memory_estimate.h"
#include "core/train/train_config.h"

namespace temper {

/// The shape of a Hugging Face config.json of `family` ("gpt2" or "llama"). Throws
/// Error(InvalidInput) naming the key when a size is missing.
ModelShape modelShapeFromHfConfig(const std::string& family, const Json& config);

/// Validates what can be validated without loading (base folder, data paths, keys) and estimates.
/// {"method", "base", "estimate": MemoryEstimate::toJson(), "seq_len", "batch_size"}.
Json dryRun(const TrainConfig& config, const RuntimeInfo& runtime);

}  // namespace temper
