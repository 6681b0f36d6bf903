#pragma once
/// Rotary position embeddings in Hugging Face's rotate-half convention (transformers'
/// modeling_rope_utils.py and LlamaRotaryEmbedding): inv_freq = 1 / theta^(arange(0, D, 2) / D),
/// angles = position * inv_freq, cos/sin tables of cat(angles, angles), and
/// x' = x * cos + rotate_half(x) * sin with rotate_half(x) = cat(-x[D/2:], x[:D/2]).
/// Meta's original checkpoints pair interleaved channels instead; the HF conversion permuted q/k.
#include "core/torch_api.h"

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace temper {

/// `rope_scaling` of config.json, the kinds Temper reproduces exactly.
struct RopeScaling {
  enum class Kind { None, Linear, Llama3 };
  Kind kind = Kind::None;
  double factor = 1.0;
  double low_freq_factor = 1.0;        ///< llama3
  double high_freq_factor = 4.0;       ///< llama3
  int64_t original_max_positions = 0;  ///< llama3: original_max_position_embeddings

  /// "default", "linear" or "llama3".
  std::string typeName() const;
};

/// The (D/2) inverse frequencies of a head of `head_dim` channels, fp32 as transformers computes
/// them (float32 arange / D, then the scaling): linear divides every frequency by `factor`; llama3
/// leaves wavelengths below original/high_freq_factor unchanged, divides those above
/// original/low_freq_factor by `factor`, and blends the two smoothly in between.
torch::Tensor ropeInverseFrequencies(int64_t head_dim, double theta, const RopeScaling& scaling);

/// x * cos + rotate_half(x) * sin over the last dimension; cos and sin broadcast against x.
torch::Tensor applyRope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

/// The cos/sin tables of one model, computed once per (device, dtype) and extended when a longer
/// range of positions is asked for. Thread-safe.
class RotaryTables {
 public:
  RotaryTables(int64_t head_dim, double theta, const RopeScaling& scaling);

  /// cos and sin of positions [start, start + count), each (count, head_dim), on `device` in `dtype`.
  /// The angles are computed in fp32 (as transformers does) and cast to `dtype` afterwards.
  std::pair<torch::Tensor, torch::Tensor> get(int64_t start, int64_t count, const torch::Device& device,
                                              torch::ScalarType dtype);
  const torch::Tensor& inverseFrequencies() const { return inv_freq_; }

 private:
  struct Entry {
    torch::Device device;
    torch::ScalarType dtype;
    torch::Tensor cos, sin;  ///< (positions, head_dim)
  };
  torch::Tensor inv_freq_;  ///< (head_dim / 2) fp32 on the CPU
  std::mutex mutex_;
  std::vector<Entry> entries_;
};

}  // namespace temper
