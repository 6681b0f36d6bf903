#pragma once
/// Llama-family models (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM) on disk in the
/// Hugging Face layout: config.json + model.safetensors or shards with an index.
#include <filesystem>

#include "core/common/json_io.h"
#include "core/model/causal_lm.h"
#include "core/tensor_io/model_weights.h"

namespace temper {

/// Loads a Llama-family folder in fp32. A missing tensor, a wrong shape or an unexpected tensor is
/// an Error(InvalidInput) naming the tensor, its file and what was expected. `classifier`: the
/// folder is a *ForSequenceClassification model: `score.weight` is skipped (sequence_classifier.h
/// reads it) and there is no `lm_head.weight` to require.
CausalLm loadLlamaHf(const std::filesystem::path& dir, bool classifier = false);
/// The same from a config.json already read and weights already opened (hf_model.h's HfModelInfo);
/// `quantize` as loadGptHf's.
CausalLm loadLlamaHf(const Json& hf_config, const std::string& config_source, const ModelWeights& weights,
                     bool classifier, const QuantOptions& quantize = {});

/// Writes config.json (`original_config` with the shape keys updated) and model.safetensors.
void saveLlamaHf(CausalLmImpl& model, const Json& original_config, const std::filesystem::path& dir);

}  // namespace temper
