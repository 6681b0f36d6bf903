#pragma once
/// Autoregressive sampling with a KV cache: greedy (temperature 0), temperature, top-k, top-p,
/// a seed for reproducibility, a token budget and a stop at end-of-sequence.
#include <functional>
#include <vector>

#include "core/model/causal_lm.h"

namespace temper {

struct SamplingOptions {
  int64_t max_new_tokens = 128;
  double temperature = 1.0;  ///< 0 means greedy
  int64_t top_k = 0;         ///< 0 means all tokens
  double top_p = 1.0;        ///< nucleus mass; 1 keeps all
  uint64_t seed = 0;
  int64_t eos_id = -1;    ///< stop when sampled; -1 never stops early
  bool use_cache = true;  ///< false recomputes the whole prefix each step (for benchmarks)
};

/// Throws Error(InvalidConfig) naming the option and its range.
void validateSampling(const SamplingOptions& options);

/// Picks the next token from (V) logits. Thread-compatible: `generator` is the caller's.
int64_t sampleToken(const torch::Tensor& logits, const SamplingOptions& options, torch::Generator& generator);

/// Generates after `prompt` (not included in the result) in eval mode without gradients.
/// `on_token` sees each new id as it is chosen and returns false to stop. A sequence longer than the
/// model's context keeps its last `context` tokens (the cache is refilled from them).
std::vector<int64_t> generate(CausalLmImpl& model, const std::vector<int64_t>& prompt, const SamplingOptions& options,
                              const std::function<bool(int64_t)>& on_token = {});

}  // namespace temper
