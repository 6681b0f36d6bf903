#pragma once
/// `temper eval` and `temper generate` on a Hugging Face model folder of any supported family
/// (hf_model.h) with its tokenizer (tokenizer.model or tokenizer.json).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/model/generation.h"

namespace temper {

struct EvalRequest {
  std::filesystem::path model_dir;
  std::filesystem::path adapter_dir;  ///< a PEFT adapter on model_dir; empty: none
  std::filesystem::path data_file;
  int64_t ctx = 0;  ///< 0: the model's context
  int64_t threads = 0;
  std::string device = "auto";
};

struct EvalResult {
  int64_t tokens = 0;            ///< tokens in the encoded file
  int64_t predicted_tokens = 0;  ///< tokens scored: every token but the first of each window
  double mean_nll = 0;
  double perplexity = 0;
  Json toJson() const;
};

/// Encodes the whole file in one piece (no bos/eos), cuts it into consecutive windows of at most
/// `ctx` tokens, and scores tokens 2..n of each window from the ones before it.
EvalResult evaluateModel(const EvalRequest& request);

struct GenerateRequest {
  std::filesystem::path model_dir;
  std::filesystem::path adapter_dir;  ///< a PEFT adapter on model_dir; empty: none
  std::string prompt;
  SamplingOptions sampling;
  /// Generation ends where one of these appears in the generated text; it is not printed.
  std::vector<std::string> stop;
  int64_t threads = 0;
  std::string device = "auto";
  std::string precision = "auto";  ///< weights for generating: auto, fp32, bf16 (resolveInferencePrecision)
};

/// Streams the prompt and the generated text to stdout as it is produced; returns the generated
/// text (without the prompt, cut before a stop string). Stops at any of the tokenizer's stop ids
/// (a model may have several), at a stop string, or after max_new_tokens.
std::string generateText(const GenerateRequest& request, bool stream_to_stdout);

}  // namespace temper
