#pragma once
/// `temper train --dry-run`: the memory and parameter estimate of a config, from shapes alone —
/// the base model's config.json and safetensors headers, never its weights — so it answers in
/// milliseconds for a model that would not fit. The method says its shape (method_spec.h).
#include "core/common/json_io.h"
#include "core/engine/runtime.h"
#include "core/methods/method_setup.h"
#include "core/train/memory_estimate.h"

namespace temper {

/// Estimates the run of `inputs` (validated and inspected by methodInputs: base folder, data
/// paths, keys). {"method", "base", "estimate": MemoryEstimate::toJson(), "seq_len", "batch_size"}.
Json dryRun(const MethodInputs& inputs, const RuntimeInfo& runtime);

}  // namespace temper
