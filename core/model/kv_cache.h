#pragma once
/// Keys and values of past positions, one pair per layer, so generation computes only the new
/// token at each step. Buffers are allocated once for the model's context and filled in place.
#include <torch/torch.h>

#include <vector>

namespace temper {

class KvCache {
 public:
  KvCache(int64_t layers, int64_t batch, int64_t heads, int64_t max_positions, int64_t head_dim,
          const torch::TensorOptions& options);

  int64_t length() const { return length_; }
  int64_t capacity() const { return capacity_; }
  void reset() { length_ = 0; }

  /// Writes the new (B, H, T, D) keys/values of `layer` at positions [length, length + T) and
  /// returns views of all positions so far. `advance` must be called once after the last layer.
  std::pair<torch::Tensor, torch::Tensor> append(int64_t layer, const torch::Tensor& k, const torch::Tensor& v);
  void advance(int64_t new_tokens) { length_ += new_tokens; }

 private:
  std::vector<torch::Tensor> keys_;
  std::vector<torch::Tensor> values_;
  int64_t length_ = 0;
  int64_t capacity_ = 0;
};

}  // namespace temper
