#include "core/data/example_sampler.h"

#include <numeric>

#include "core/common/error.h"
#include "core/data/splitmix.h"

namespace temper {

ExampleSampler::ExampleSampler(int64_t examples, int64_t batch_size, uint64_t seed)
    : examples_(examples), batch_size_(batch_size), seed_(seed) {
  if (examples <= 0) throwInputError("no training examples left after filtering");
}

int64_t ExampleSampler::indexAt(uint64_t k) {
  const uint64_t n = static_cast<uint64_t>(examples_);
  const uint64_t epoch = k / n;
  if (epoch != cached_epoch_) {
    // Fisher-Yates driven by counterHash, so the order is the same on every platform.
    permutation_.resize(n);
    std::iota(permutation_.begin(), permutation_.end(), 0);
    const uint64_t epoch_seed = counterHash(seed_, epoch);
    for (uint64_t i = n - 1; i > 0; --i) {
      const uint64_t j = boundedFromHash(counterHash(epoch_seed, i), i + 1);
      std::swap(permutation_[i], permutation_[j]);
    }
    cached_epoch_ = epoch;
  }
  return permutation_[k % n];
}

std::vector<int64_t> ExampleSampler::batchAt(uint64_t position) {
  std::vector<int64_t> batch(static_cast<size_t>(batch_size_));
  for (int64_t i = 0; i < batch_size_; ++i) {
    batch[static_cast<size_t>(i)] = indexAt(position * static_cast<uint64_t>(batch_size_) + static_cast<uint64_t>(i));
  }
  return batch;
}

std::vector<int64_t> ExampleSampler::next() { return batchAt(position_++); }

}  // namespace temper
