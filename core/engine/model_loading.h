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

/// Loads `dir` for inference on `device` ("cpu" or "cuda", as configureRuntime resolved it).
/// Throws Error(InvalidInput) naming the folder when it is not a model folder, has no tokenizer,
/// or its tokenizer has more ids than the model's vocabulary.
LoadedModel loadModelForInference(const std::filesystem::path& dir, const std::string& device);

}  // namespace temper
