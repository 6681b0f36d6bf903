#include "core/model/kv_cache.h"

#include <algorithm>

#include "core/common/error.h"

namespace temper {

KvCache::KvCache(int64_t layers, int64_t batch, int64_t heads, int64_t max_positions, int64_t head_dim,
                 const torch::TensorOptions& options, int64_t reserve)
    : capacity_(std::clamp<int64_t>(reserve, 1, max_positions)), max_positions_(max_positions) {
  for (int64_t i = 0; i < layers; ++i) {
    keys_.push_back(torch::empty({batch, heads, capacity_, head_dim}, options));
    values_.push_back(torch::empty({batch, heads, capacity_, head_dim}, options));
  }
}

void KvCache::grow(int64_t needed) {
  const int64_t capacity = std::min(max_positions_, std::max(needed, 2 * capacity_));
  for (auto* buffers : {&keys_, &values_}) {
    for (auto& buffer : *buffers) {
      auto sizes = buffer.sizes().vec();
      sizes[2] = capacity;
      auto larger = torch::empty(sizes, buffer.options());
      larger.narrow(2, 0, length_).copy_(buffer.narrow(2, 0, length_));
      buffer = larger;
    }
  }
  capacity_ = capacity;
}

std::pair<torch::Tensor, torch::Tensor> KvCache::append(int64_t layer, const torch::Tensor& k, const torch::Tensor& v) {
  int64_t new_tokens = k.size(2);
  if (length_ + new_tokens > max_positions_) {
    throw Error(ErrorKind::Internal, "KV cache overflow: " + std::to_string(length_ + new_tokens) +
                                         " positions, the model's context is " + std::to_string(max_positions_));
  }
  // Layer 0 grows every layer's buffers at once; the later layers of this step then fit.
  if (length_ + new_tokens > capacity_) grow(length_ + new_tokens);
  keys_[layer].narrow(2, length_, new_tokens).copy_(k);
  values_[layer].narrow(2, length_, new_tokens).copy_(v);
  return {keys_[layer].narrow(2, 0, length_ + new_tokens), values_[layer].narrow(2, 0, length_ + new_tokens)};
}

}  // namespace temper
