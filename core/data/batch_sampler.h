#pragma once
/// Random (batch_size, context + 1) windows over a token file, for language-model training.
///
/// Reproducible by construction: the start of row r in batch b is a pure function of
/// (seed, b, r) through a counter-based hash (splitmix.h), so a run resumed from a checkpoint
/// calls setPosition(batches already drawn) and gets exactly the batches it would have had,
/// without replaying anything. Windows may overlap and cross document boundaries (the eos
/// between documents is part of what the model learns).
#include <cstdint>
#include <vector>

#include "core/data/token_file.h"

namespace temper {

/// Not thread-safe (it keeps a position); the TokenFile must outlive it.
class BatchSampler {
 public:
  /// Throws Error(InvalidConfig) for batch_size or context below 1, Error(InvalidInput) when the
  /// file holds fewer than context + 1 tokens (naming both numbers).
  BatchSampler(const TokenFile& tokens, int batch_size, int context, uint64_t seed);

  /// Fills `inputs` and `targets` (resized to batch_size * context, row-major) with the next batch:
  /// targets[r][t] == inputs[r][t + 1] within a window of context + 1 tokens.
  void next(std::vector<int64_t>& inputs, std::vector<int64_t>& targets);

  /// Batches drawn so far: the number a checkpoint stores.
  uint64_t position() const { return position_; }
  void setPosition(uint64_t batches_drawn) { position_ = batches_drawn; }

  /// The first token index of row `row` in batch `batch` (exposed for tests and diagnostics).
  int64_t windowStart(uint64_t batch, int row) const;

  int batchSize() const { return batch_size_; }
  int context() const { return context_; }

 private:
  const TokenFile* tokens_;
  int batch_size_;
  int context_;
  uint64_t seed_;
  uint64_t position_ = 0;
  std::vector<int64_t> window_;  // scratch: one window of context + 1 tokens
};

}  // namespace temper
