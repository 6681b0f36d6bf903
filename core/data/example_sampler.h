#pragma once
/// Batches of example indices for methods whose data are separate examples (SFT, classify): an
/// endless stream of epochs, each a seeded permutation of all examples, cut into batches. The
/// batch at position p is a pure function of (seed, p), so the data position is a single number
/// in a checkpoint and a resumed run sees exactly the batches it would have seen.
#include <cstdint>
#include <vector>

namespace temper {

class ExampleSampler {
 public:
  /// Throws Error(InvalidInput) when there are no examples.
  ExampleSampler(int64_t examples, int64_t batch_size, uint64_t seed);
  /// Indices of the next batch (batch_size of them; an epoch boundary may fall inside a batch).
  std::vector<int64_t> next();
  uint64_t position() const { return position_; }
  void setPosition(uint64_t position) { position_ = position; }
  /// Indices of the batch at `position`, without moving.
  std::vector<int64_t> batchAt(uint64_t position);

 private:
  int64_t indexAt(uint64_t k);
  int64_t examples_;
  int64_t batch_size_;
  uint64_t seed_;
  uint64_t position_ = 0;
  uint64_t cached_epoch_ = UINT64_MAX;
  std::vector<int64_t> permutation_;
};

}  // namespace temper
