#pragma once
/// `precompute-ref` (dpo; TRL's precompute_ref_log_probs): the reference's log-probabilities of
/// every training and validation pair's answers, computed once before the first step instead of a
/// reference forward pass per batch, and kept in the workspace so that the next run on the same
/// base and pairs (a β sweep, a resume) reads them instead:
/// `<workspace>/cache/reference-logps/<key>.safetensors`, the key the SHA-256 of the base's weight
/// fingerprint (every weight file's SHA-256) and every example's token ids. The values are
/// computed in float32 under no-grad in eval mode, as the per-batch reference is.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/common/json_io.h"
#include "core/methods/preference/preference_losses.h"
#include "core/prefs/preference_examples.h"

namespace temper {

/// One split's reference log-probabilities, one row per example in the split's order.
struct SplitReferenceLogps {
  torch::Tensor chosen_sum, chosen_tokens, rejected_sum, rejected_tokens;  ///< [N] float, on the CPU
  /// The rows `indices` as a batch's PairLogps, on `device`.
  PairLogps rows(const std::vector<int64_t>& indices, const torch::Device& device) const;
};

struct PrecomputedReference {
  SplitReferenceLogps train, val;
  std::filesystem::path file;  ///< the cache file
  bool from_cache = false;     ///< read, not computed, by this run
  double seconds = 0;          ///< computing or reading
};

/// The cache key of a base (its baseFingerprint) and the examples the reference scores.
std::string referenceCacheKey(const Json& base_fingerprint, const PreferenceExamples& train,
                              const PreferenceExamples& val);

/// Reads `dir/<key>.safetensors` when it is there and holds `train_count` and `val_count` rows;
/// else computes every example's log-probabilities with `score` (a batch of at most `batch_size`
/// examples → their reference PairLogps) and writes the file atomically. A file that cannot be
/// read is computed again and replaced (a cache, never the only copy).
PrecomputedReference precomputeReference(
    const std::filesystem::path& dir, const std::string& key, const PreferenceExamples& train,
    const PreferenceExamples& val, int64_t batch_size,
    const std::function<PairLogps(const std::vector<const PreferenceExample*>&)>& score);

}  // namespace temper
