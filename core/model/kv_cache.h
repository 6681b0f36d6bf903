#pragma once
/// Keys and values of past positions, one pair per layer, so generation computes only the new
/// token at each step. Buffers are filled in place. They start at the size the caller reserves and
/// grow (doubling, copying what is there) up to the model's context when more positions arrive:
/// allocating the whole context up front would cost 32 GiB (8.6 billion fp32 keys and values) for
/// one Llama-3-8B sequence of 131k positions when a chat turn needs a few hundred.
#include "core/torch_api.h"

#include <vector>

namespace temper {

class KvCache {
 public:
  /// `reserve`: positions allocated now (clamped to 1..max_positions).
  KvCache(int64_t layers, int64_t batch, int64_t heads, int64_t max_positions, int64_t head_dim,
          const torch::TensorOptions& options, int64_t reserve);

  int64_t length() const { return length_; }
  int64_t capacity() const { return capacity_; }           ///< positions allocated now
  int64_t maxPositions() const { return max_positions_; }  ///< the most it will grow to
  void reset() { length_ = 0; }

  /// Writes the new (B, H, T, D) keys/values of `layer` at positions [length, length + T) and
  /// returns views of all positions so far. `advance` must be called once after the last layer.
  std::pair<torch::Tensor, torch::Tensor> append(int64_t layer, const torch::Tensor& k, const torch::Tensor& v);
  void advance(int64_t new_tokens) { length_ += new_tokens; }

 private:
  std::vector<torch::Tensor> keys_;
  std::vector<torch::Tensor> values_;
  void grow(int64_t needed);
  int64_t length_ = 0;
  int64_t capacity_ = 0;
  int64_t max_positions_ = 0;
};

}  // namespace temper
