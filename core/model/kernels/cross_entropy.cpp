#include "core/model/kernels/cross_entropy.h"

#include "core/model/kernels/autocast_widen.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/common/bf16_bits.h"
#include "core/common/fast_math.h"

namespace temper::kernels {
namespace {

constexpr int64_t kIgnoreIndex = -100;

// Sixteen running maxima, one per vector lane, then their maximum: GCC does not vectorise the one
// running maximum (a float reduction), and a maximum does not depend on the order it is taken in.
TEMPER_VECTOR_CLONES float rowMax(const float* x, int64_t n) {
  constexpr int64_t kLanes = 16;
  float lanes[kLanes];
  for (float& lane : lanes) lane = -INFINITY;
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    for (int64_t l = 0; l < kLanes; ++l) lanes[l] = x[j + l] > lanes[l] ? x[j + l] : lanes[l];
  }
  float m = -INFINITY;
  for (float lane : lanes) m = lane > m ? lane : m;
  for (; j < n; ++j) m = x[j] > m ? x[j] : m;
  return m;
}

// g[j] = exp(x[j] - m); returns the sum.
TEMPER_VECTOR_CLONES float expShiftedInto(const float* x, float m, float* g, int64_t n) {
  float sum = 0.0f;
  for (int64_t j = 0; j < n; ++j) {
    float e = fastExp(x[j] - m);
    g[j] = e;
    sum += e;
  }
  return sum;
}

TEMPER_VECTOR_CLONES void scaleRow(float* g, float scale, int64_t n) {
  for (int64_t j = 0; j < n; ++j) g[j] *= scale;
}

TEMPER_VECTOR_CLONES void widenRow(const uint16_t* x, float* out, int64_t n) {
  for (int64_t j = 0; j < n; ++j) out[j] = bf16ToFloat(x[j]);
}

TEMPER_VECTOR_CLONES void scaleRowToBf16(const float* e, float scale, uint16_t* g, int64_t n) {
  for (int64_t j = 0; j < n; ++j) g[j] = floatToBf16(e[j] * scale);
}

// One row's loss and gradient, for float or bf16 logits (CPU autocast hands the head's bf16 output
// over as it is: the row is widened into a per-thread float buffer that stays in cache, computed
// there in float, and the gradient rounded to bf16 once, as the head's bf16 backward takes it).
struct RowKernel {
  const int64_t* target;
  int64_t vocab;
  float inv_count;
  std::vector<double>* row_loss;

  /// Every row of `logits` (rows × vocab, float or bf16; a chunk whose row i is row `first + i` of
  /// the targets and losses): their losses, and their gradients into `grad`.
  void rows(const torch::Tensor& logits, torch::Tensor& grad, int64_t first) const {
    const int64_t count = logits.size(0);
    if (logits.scalar_type() == torch::kBFloat16) {
      const auto* x_all = reinterpret_cast<const uint16_t*>(logits.data_ptr<at::BFloat16>());
      auto* g_all = reinterpret_cast<uint16_t*>(grad.data_ptr<at::BFloat16>());
      at::parallel_for(0, count, 8, [&](int64_t begin, int64_t end) {
        std::vector<float> scratch(static_cast<size_t>(vocab));
        for (int64_t i = begin; i < end; ++i) {
          uint16_t* g = g_all + i * vocab;
          if (target[first + i] == kIgnoreIndex) {
            std::fill(g, g + vocab, uint16_t{0});
          } else {
            bf16Row(first + i, x_all + i * vocab, g, scratch.data());
          }
        }
      });
    } else {
      const float* x_all = logits.data_ptr<float>();
      float* g_all = grad.data_ptr<float>();
      at::parallel_for(0, count, 8, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          float* g = g_all + i * vocab;
          if (target[first + i] == kIgnoreIndex) {
            std::fill(g, g + vocab, 0.0f);
          } else {
            floatRow(first + i, x_all + i * vocab, g);
          }
        }
      });
    }
  }

  void floatRow(int64_t i, const float* x, float* g) const {
    const float m = rowMax(x, vocab);
    const float sum = expShiftedInto(x, m, g, vocab);
    scaleRow(g, inv_count / sum, vocab);
    g[target[i]] -= inv_count;
    (*row_loss)[static_cast<size_t>(i)] = std::log(static_cast<double>(sum)) + m - x[target[i]];
  }

  void bf16Row(int64_t i, const uint16_t* x, uint16_t* g, float* scratch) const {
    widenRow(x, scratch, vocab);
    const float target_logit = scratch[target[i]];
    const float m = rowMax(scratch, vocab);
    const float sum = expShiftedInto(scratch, m, scratch, vocab);
    const float scale = inv_count / sum;
    scaleRowToBf16(scratch, scale, g, vocab);
    g[target[i]] = floatToBf16(scratch[target[i]] * scale - inv_count);
    (*row_loss)[static_cast<size_t>(i)] = std::log(static_cast<double>(sum)) + m - target_logit;
  }
};

/// Targets that count (not -100), each checked against the vocabulary.
int64_t countedTargets(const int64_t* target, int64_t rows, int64_t vocab) {
  int64_t counted = 0;
  for (int64_t i = 0; i < rows; ++i) {
    if (target[i] == kIgnoreIndex) continue;
    TORCH_CHECK(target[i] >= 0 && target[i] < vocab, "target ", target[i], " is outside the vocabulary of ", vocab);
    ++counted;
  }
  return counted;
}

/// The fp32 mean of the rows' losses, summed in row order so that it does not depend on how rows
/// were split across threads or chunks; NaN when no target counts.
torch::Tensor meanLoss(const std::vector<double>& row_loss, int64_t counted) {
  double total = 0.0;
  for (double v : row_loss) total += v;
  return torch::scalar_tensor(counted > 0 ? total / static_cast<double>(counted) : NAN,
                              torch::TensorOptions().dtype(torch::kFloat32));
}

class FusedCrossEntropy : public torch::autograd::Function<FusedCrossEntropy> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits_in,
                               const torch::Tensor& targets_in) {
    auto logits = logits_in.contiguous();
    auto targets = targets_in.contiguous();
    const int64_t rows = logits.size(0), vocab = logits.size(1);
    const int64_t* target = targets.data_ptr<int64_t>();
    const int64_t counted = countedTargets(target, rows, vocab);
    auto grad = torch::empty_like(logits);
    std::vector<double> row_loss(static_cast<size_t>(rows), 0.0);
    const RowKernel kernel{target, vocab, counted > 0 ? 1.0f / static_cast<float>(counted) : 0.0f, &row_loss};
    kernel.rows(logits, grad, 0);
    ctx->saved_data["grad"] = grad;
    return meanLoss(row_loss, counted);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    torch::Tensor grad = ctx->saved_data["grad"].toTensor();
    const torch::Tensor& upstream = grad_outputs[0];
    if (upstream.item<float>() != 1.0f) grad = grad * upstream;
    return {grad, torch::Tensor()};
  }
};

/// frozenHeadCrossEntropy: the loss and grad_hidden in the forward pass, a chunk of rows at a time.
class FrozenHeadCrossEntropy : public torch::autograd::Function<FrozenHeadCrossEntropy> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& hidden_in,
                               const torch::Tensor& weight_in, const torch::Tensor& targets_in, torch::ScalarType dtype,
                               int64_t chunk_rows) {
    const int64_t rows = targets_in.numel(), vocab = weight_in.size(0);
    // The head in the product's dtype: the weight itself when stored so (storeFrozenTables,
    // storeFrozenWeightsForAutocast), else a copy for this pass only; nothing of it is kept.
    const torch::Tensor weight = weight_in.to(dtype).contiguous();
    const torch::Tensor hidden = hidden_in.reshape({rows, hidden_in.size(-1)}).to(dtype).contiguous();
    const torch::Tensor targets = targets_in.contiguous();
    const int64_t* target = targets.data_ptr<int64_t>();
    const int64_t counted = countedTargets(target, rows, vocab);
    std::vector<double> row_loss(static_cast<size_t>(rows), 0.0);
    const RowKernel kernel{target, vocab, counted > 0 ? 1.0f / static_cast<float>(counted) : 0.0f, &row_loss};
    auto grad_hidden = torch::empty_like(hidden);
    const int64_t step = chunk_rows > 0 ? chunk_rows : lossChunkRows(vocab);
    torch::Tensor logits, grad;  // reused chunk buffers
    for (int64_t first = 0; first < rows; first += step) {
      const int64_t count = std::min(step, rows - first);
      const torch::Tensor h = hidden.narrow(0, first, count);
      logits = logits.defined() && logits.size(0) == count ? logits : torch::empty({count, vocab}, hidden.options());
      grad = grad.defined() && grad.size(0) == count ? grad : torch::empty({count, vocab}, hidden.options());
      torch::mm_out(logits, h, weight.t());
      kernel.rows(logits, grad, first);
      auto grad_h = grad_hidden.narrow(0, first, count);
      torch::mm_out(grad_h, grad, weight);
    }
    ctx->saved_data["grad_hidden"] = grad_hidden.view(hidden_in.sizes());
    ctx->saved_data["hidden_dtype"] = static_cast<int64_t>(hidden_in.scalar_type());
    return meanLoss(row_loss, counted);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    torch::Tensor grad = ctx->saved_data["grad_hidden"].toTensor();
    const auto hidden_dtype = static_cast<torch::ScalarType>(ctx->saved_data["hidden_dtype"].toInt());
    const torch::Tensor& upstream = grad_outputs[0];
    if (upstream.item<float>() != 1.0f) grad = grad * upstream;
    return {grad.to(hidden_dtype), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor frozenHeadCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& weight,
                                     const torch::Tensor& targets, int64_t chunk_rows) {
  TORCH_CHECK(!weight.requires_grad(), "frozenHeadCrossEntropy: the head must be frozen");
  TORCH_CHECK(hidden.device().is_cpu() && weight.device().is_cpu(), "frozenHeadCrossEntropy runs on the CPU");
  TORCH_CHECK(hidden.size(-1) == weight.size(1) && hidden.numel() / hidden.size(-1) == targets.numel(),
              "frozenHeadCrossEntropy: hidden ", hidden.sizes(), ", head ", weight.sizes(), ", targets ",
              targets.sizes());
  const torch::ScalarType dtype =
      compat::autocastEnabled(at::kCPU) ? compat::autocastDtype(at::kCPU) : hidden.scalar_type();
  return FrozenHeadCrossEntropy::apply(hidden, weight.detach(), targets.reshape({-1}), dtype, chunk_rows);
}

torch::Tensor crossEntropy(const torch::Tensor& input, const torch::Tensor& targets) {
  // Training under CPU autocast: the head's bf16 logits straight in, an fp32 loss out (as PyTorch's
  // autocast lists keep it), the gradient in bf16.
  if (isAutocastBf16(input) && input.requires_grad() && torch::GradMode::is_enabled() && input.dim() == 2) {
    return FusedCrossEntropy::apply(input, targets);
  }
  const torch::Tensor logits = widenUnderAutocast(input);
  if (logits.device().is_cpu() && logits.scalar_type() == torch::kFloat32 && logits.requires_grad() &&
      torch::GradMode::is_enabled() && logits.dim() == 2) {
    return FusedCrossEntropy::apply(logits, targets);
  }
  return torch::nn::functional::cross_entropy(
      logits, targets, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreIndex));
}

}  // namespace temper::kernels
