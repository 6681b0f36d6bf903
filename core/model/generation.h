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

/// Several continuations of ONE prompt in one batch (preference pairs, best-of-n): row r samples
/// with options[r] (its own seed, temperature, top-k/p, max_new_tokens). The rows share the prompt,
/// so they stay the same length and need no padding: one forward pass of all rows per token, with
/// a KV cache. A row ends when `on_token(row, id)` returns false, at its eos_id, or after its own
/// max_new_tokens; it rides along until every row has ended, its outputs discarded. Generation
/// also ends at the model's context (no sliding window: the rows would need separate refills).
/// `use_cache` is the first row's for all (false: every step recomputes the rows' whole sequences,
/// the baseline `temper bench rollouts` measures the cache against).
/// Returns each row's tokens (the prompt not included).
std::vector<std::vector<int64_t>> generateBatch(CausalLmImpl& model, const std::vector<int64_t>& prompt,
                                                const std::vector<SamplingOptions>& options,
                                                const std::function<bool(size_t, int64_t)>& on_token = {});

}  // namespace temper
