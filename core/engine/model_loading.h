#pragma once
/// A Hugging Face model folder opened for inference: the model (any family, hf_model.h) on the
/// requested device in eval mode, its tokenizer (tokenizer_open.h: tokenizer.model or
/// tokenizer.json with the folder's special ids), and what inspecting the folder found.
#include <filesystem>
#include <memory>
#include <string>

#include "core/model/hf_model.h"
#include "core/tokenizer/tokenizer.h"

namespace temper {

struct LoadedModel {
  CausalLm model;
  std::unique_ptr<Tokenizer> tokenizer;
  HfModelInfo info;
};

/// The dtype weights are held in to generate (`--precision` of generate, chat and bench generate):
/// "fp32" or "bf16". `key` auto is bf16 on a CPU that multiplies bf16 in hardware (AMX or
/// AVX512_BF16: decoding reads every weight per token, and bf16 halves those bytes) and fp32
/// elsewhere; fp32 and bf16 force it. Throws Error(InvalidConfig) naming the key otherwise.
std::string resolveInferencePrecision(const std::string& key, const std::string& device);

/// Loads `dir` for inference on `device` ("cpu" or "cuda", as configureRuntime resolved it), its
/// weights converted once to `precision` (resolveInferencePrecision; the KV cache follows them).
/// Throws Error(InvalidInput) naming the folder when it is not a model folder, has no tokenizer,
/// or its tokenizer has more ids than the model's vocabulary.
LoadedModel loadModelForInference(const std::filesystem::path& dir, const std::string& device,
                                  const std::string& precision = "fp32");

}  // namespace temper
