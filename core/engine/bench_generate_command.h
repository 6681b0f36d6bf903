#pragma once
/// `temper bench generate` and `temper bench load`: the two inference figures of issue 3, and
/// `temper bench rollouts`, issue 13's: sampling rollouts with and without the KV cache.
///   generate: tokens/s of greedy generation on a randomly initialised preset-shaped GPT-2 with
///             the KV cache and recomputing the whole prefix at every step (SamplingOptions::
///             use_cache = false), medians of a few runs, and their ratio.
///   load:     the time to inspect (config + safetensors headers) and to load a model folder, with
///             the files in the page cache; without --model a GPT-2-124M-shaped folder (~500 MB)
///             is written to a temporary folder first and removed afterwards.
#include <filesystem>
#include <string>

#include "core/common/json_io.h"

namespace temper {

struct BenchGenerateRequest {
  std::string preset = "gpt2-124m";
  int64_t vocab = 50257;
  int64_t prompt_tokens = 16;
  int64_t new_tokens = 256;
  int64_t runs = 3;
  int64_t threads = 0;
  uint64_t seed = 0;
  std::string device = "cpu";
  std::string precision = "auto";  ///< weights: auto, fp32, bf16 (resolveInferencePrecision)
};

Json benchGenerate(const BenchGenerateRequest& request);

/// `temper bench rollouts`: what GRPO, RLOO and PPO spend their sampling on — `generations`
/// completions of each of `prompts` random prompts sampled together (generateBatch, temperature 1,
/// a seed per row, no eos so every row runs `new_tokens`), with the KV cache and recomputing the
/// rows' whole sequences each step; tokens/s (every row's tokens) as medians, and their ratio.
struct BenchRolloutsRequest {
  std::string preset = "small";
  int64_t vocab = 4096;
  int64_t prompts = 2;
  int64_t generations = 8;
  int64_t prompt_tokens = 32;
  int64_t new_tokens = 64;
  int64_t runs = 3;
  int64_t threads = 0;
  uint64_t seed = 0;
  std::string device = "cpu";
};

Json benchRollouts(const BenchRolloutsRequest& request);

struct BenchLoadRequest {
  std::filesystem::path model_dir;  ///< empty: write a preset-shaped folder first
  std::string preset = "gpt2-124m";
  int64_t vocab = 50257;
  int64_t runs = 5;
  int64_t threads = 0;
};

Json benchLoad(const BenchLoadRequest& request);

}  // namespace temper
