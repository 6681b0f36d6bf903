#include "core/data/batch_sampler.h"

#include <algorithm>
#include <string>

#include "core/common/error.h"
#include "core/data/splitmix.h"

namespace temper {

BatchSampler::BatchSampler(const TokenFile& tokens, int batch_size, int context, uint64_t seed)
    : tokens_(&tokens), batch_size_(batch_size), context_(context), seed_(seed) {
  if (batch_size < 1) throwConfigError("batch_size must be at least 1, got " + std::to_string(batch_size));
  if (context < 1) throwConfigError("context must be at least 1, got " + std::to_string(context));
  if (tokens.size() < static_cast<int64_t>(context) + 1) {
    throwInputError(tokens.path().string() + ": holds " + std::to_string(tokens.size()) +
                    " tokens, fewer than context + 1 = " + std::to_string(static_cast<int64_t>(context) + 1) +
                    "; use a shorter context or more text");
  }
  window_.resize(static_cast<size_t>(context) + 1);
}

int64_t BatchSampler::windowStart(uint64_t batch, int row) const {
  // Every start in [0, size - context - 1] is possible, so the last token can be a target.
  const auto choices = static_cast<uint64_t>(tokens_->size() - context_);
  const uint64_t counter = batch * static_cast<uint64_t>(batch_size_) + static_cast<uint64_t>(row);
  return static_cast<int64_t>(boundedFromHash(counterHash(seed_, counter), choices));
}

void BatchSampler::next(std::vector<int64_t>& inputs, std::vector<int64_t>& targets) {
  const auto row_size = static_cast<size_t>(context_);
  inputs.resize(static_cast<size_t>(batch_size_) * row_size);
  targets.resize(inputs.size());
  for (int row = 0; row < batch_size_; ++row) {
    tokens_->copyTokens(windowStart(position_, row), context_ + 1, window_.data());
    auto offset = static_cast<size_t>(row) * row_size;
    std::copy(window_.begin(), window_.end() - 1, inputs.begin() + static_cast<std::ptrdiff_t>(offset));
    std::copy(window_.begin() + 1, window_.end(), targets.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  ++position_;
}

}  // namespace temper
