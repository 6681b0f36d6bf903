#pragma once
/// GPT-2 models on disk in the Hugging Face layout: `config.json` + `model.safetensors` (+ the
/// tokenizer file beside them). Tensor names as GPT2LMHeadModel's hub files (`wte.weight`,
/// `h.0.attn.c_attn.weight`, ...); Conv1D weights stored (in, out).
#include <filesystem>

#include "core/model/gpt.h"
#include "core/tensor_io/model_weights.h"

namespace temper {

/// Writes config.json and model.safetensors into `dir` (created if missing). Not atomic by itself:
/// callers write into a temporary folder and rename it (see train/checkpoint.cpp).
/// `original_config` (the config.json the model was loaded from, or null) keeps its other keys, so
/// a finetuned model says what its base said (bos/eos ids, task params, ...).
void saveGptHf(GptImpl& model, const Json& original_config, const std::filesystem::path& dir);
inline void saveGptHf(Gpt& model, const std::filesystem::path& dir) { saveGptHf(*model, Json(), dir); }

/// Loads a GPT-2 folder (one model.safetensors or shards with an index). Accepts names with or without the
/// `transformer.` prefix, ignores the `attn.bias`/`attn.masked_bias` buffers and a tied `lm_head.weight`; F32/F16/BF16
/// weights are converted to fp32. A missing tensor, a wrong shape or an unexpected tensor is an Error(InvalidInput)
/// naming the tensor, its file and what was expected. `classifier`: the folder is a GPT2ForSequenceClassification:
/// `score.weight` is skipped (sequence_classifier.h reads it).
Gpt loadGptHf(const std::filesystem::path& dir, bool classifier = false);
/// The same from a config.json already read (`config_source` names it in errors) and weights already
/// opened: what loading through an inspected HfModelInfo uses, so nothing is read twice. `quantize`
/// (QLoRA's loading): the projections are quantised as they are read (quantize_base.h). Each
/// tensor's mapped pages are released once read (SafetensorsFile::releasePages).
Gpt loadGptHf(const Json& hf_config, const std::string& config_source, const ModelWeights& weights, bool classifier,
              const QuantOptions& quantize = {});

/// Just the config of a model folder (for `runs show`, `eval` defaults).
GptConfig readGptHfConfig(const std::filesystem::path& dir);

}  // namespace temper
