#include "core/model/rope.h"

#include <algorithm>
#include <cmath>

namespace temper {

std::string RopeScaling::typeName() const {
  switch (kind) {
    case Kind::Linear:
      return "linear";
    case Kind::Llama3:
      return "llama3";
    case Kind::None:
      break;
  }
  return "default";
}

torch::Tensor ropeInverseFrequencies(int64_t head_dim, double theta, const RopeScaling& scaling) {
  // Same arithmetic order and precision as _compute_default_rope_parameters: int64 arange turned
  // into float32, divided by D, base ** that in float32.
  auto exponents = torch::arange(0, head_dim, 2, torch::kLong).to(torch::kFloat32) / static_cast<double>(head_dim);
  auto inv_freq = 1.0 / torch::pow(torch::scalar_tensor(theta, torch::kFloat32), exponents);
  switch (scaling.kind) {
    case RopeScaling::Kind::None:
      return inv_freq;
    case RopeScaling::Kind::Linear:
      return inv_freq / scaling.factor;
    case RopeScaling::Kind::Llama3:
      break;
  }
  // _compute_llama3_parameters, step by step.
  const double factor = scaling.factor;
  const double old_context = static_cast<double>(scaling.original_max_positions);
  const double low_freq_wavelen = old_context / scaling.low_freq_factor;
  const double high_freq_wavelen = old_context / scaling.high_freq_factor;
  auto wavelen = 2.0 * M_PI / inv_freq;
  auto scaled = torch::where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq);
  auto smooth =
      (old_context / wavelen - scaling.low_freq_factor) / (scaling.high_freq_factor - scaling.low_freq_factor);
  auto smoothed = (1 - smooth) * scaled / factor + smooth * scaled;
  auto medium = (wavelen >= high_freq_wavelen).logical_and(wavelen <= low_freq_wavelen);
  return torch::where(medium, smoothed, scaled);
}

torch::Tensor applyRope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  auto rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * cos + rotated * sin;
}

RotaryTables::RotaryTables(int64_t head_dim, double theta, const RopeScaling& scaling)
    : inv_freq_(ropeInverseFrequencies(head_dim, theta, scaling)) {}

std::pair<torch::Tensor, torch::Tensor> RotaryTables::get(int64_t start, int64_t count, const torch::Device& device,
                                                          torch::ScalarType dtype) {
  std::lock_guard<std::mutex> lock(mutex_);
  const int64_t needed = start + count;
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& e) { return e.device == device && e.dtype == dtype; });
  if (it == entries_.end() || it->cos.size(0) < needed) {
    // Round up so that token-by-token generation does not rebuild the table at every step.
    int64_t positions = 64;
    while (positions < needed) positions *= 2;
    torch::NoGradGuard no_grad;
    auto t = torch::arange(positions, torch::kLong).to(torch::kFloat32);
    auto freqs = torch::outer(t, inv_freq_);  // fp32, as transformers computes the angles
    auto emb = torch::cat({freqs, freqs}, -1);
    Entry entry{device, dtype, emb.cos().to(device, dtype), emb.sin().to(device, dtype)};
    if (it == entries_.end()) {
      entries_.push_back(std::move(entry));
      it = std::prev(entries_.end());
    } else {
      *it = std::move(entry);
    }
  }
  return {it->cos.narrow(0, start, count), it->sin.narrow(0, start, count)};
}

}  // namespace temper
