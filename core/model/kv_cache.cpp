#include "core/model/kv_cache.h"

#include "core/common/error.h"

namespace temper {

KvCache::KvCache(int64_t layers, int64_t batch, int64_t heads, int64_t max_positions, int64_t head_dim,
                 const torch::TensorOptions& options)
    : capacity_(max_positions) {
  for (int64_t i = 0; i < layers; ++i) {
    keys_.push_back(torch::empty({batch, heads, max_positions, head_dim}, options));
    values_.push_back(torch::empty({batch, heads, max_positions, head_dim}, options));
  }
}

std::pair<torch::Tensor, torch::Tensor> KvCache::append(int64_t layer, const torch::Tensor& k, const torch::Tensor& v) {
  int64_t new_tokens = k.size(2);
  if (length_ + new_tokens > capacity_) {
    throw Error(ErrorKind::Internal, "KV cache overflow: " + std::to_string(length_ + new_tokens) +
                                         " positions, capacity " + std::to_string(capacity_));
  }
  keys_[layer].narrow(2, length_, new_tokens).copy_(k);
  values_[layer].narrow(2, length_, new_tokens).copy_(v);
  return {keys_[layer].narrow(2, 0, length_ + new_tokens), values_[layer].narrow(2, 0, length_ + new_tokens)};
}

}  // namespace temper
