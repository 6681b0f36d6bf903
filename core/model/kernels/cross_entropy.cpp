#include "core/model/kernels/cross_entropy.h"

#include "core/model/kernels/autocast_widen.h"

#include <ATen/Parallel.h>

#include <cmath>

#include "core/common/fast_math.h"

namespace temper::kernels {
namespace {

constexpr int64_t kIgnoreIndex = -100;

TEMPER_VECTOR_CLONES float rowMax(const float* x, int64_t n) {
  float m = -INFINITY;
  for (int64_t j = 0; j < n; ++j) m = x[j] > m ? x[j] : m;
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

class FusedCrossEntropy : public torch::autograd::Function<FusedCrossEntropy> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits_in,
                               const torch::Tensor& targets_in) {
    auto logits = logits_in.contiguous();
    auto targets = targets_in.contiguous();
    const int64_t rows = logits.size(0), vocab = logits.size(1);
    const int64_t* target = targets.data_ptr<int64_t>();
    int64_t counted = 0;
    for (int64_t i = 0; i < rows; ++i) {
      if (target[i] == kIgnoreIndex) continue;
      TORCH_CHECK(target[i] >= 0 && target[i] < vocab, "target ", target[i], " is outside the vocabulary of ", vocab);
      ++counted;
    }
    auto grad = torch::empty_like(logits);
    std::vector<double> row_loss(static_cast<size_t>(rows), 0.0);
    const float inv_count = counted > 0 ? 1.0f / static_cast<float>(counted) : 0.0f;
    const float* x_all = logits.data_ptr<float>();
    float* g_all = grad.data_ptr<float>();
    at::parallel_for(0, rows, 8, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const float* x = x_all + i * vocab;
        float* g = g_all + i * vocab;
        if (target[i] == kIgnoreIndex) {
          std::fill(g, g + vocab, 0.0f);
          continue;
        }
        const float m = rowMax(x, vocab);
        const float sum = expShiftedInto(x, m, g, vocab);
        scaleRow(g, inv_count / sum, vocab);
        g[target[i]] -= inv_count;
        row_loss[static_cast<size_t>(i)] = std::log(static_cast<double>(sum)) + m - x[target[i]];
      }
    });
    // Summed in row order, so the loss does not depend on how rows were split across threads.
    double total = 0.0;
    for (double v : row_loss) total += v;
    ctx->saved_data["grad"] = grad;
    return torch::scalar_tensor(counted > 0 ? total / static_cast<double>(counted) : NAN, logits.options());
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    torch::Tensor grad = ctx->saved_data["grad"].toTensor();
    const torch::Tensor& upstream = grad_outputs[0];
    if (upstream.item<float>() != 1.0f) grad = grad * upstream;
    return {grad, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor crossEntropy(const torch::Tensor& input, const torch::Tensor& targets) {
  const torch::Tensor logits = widenUnderAutocast(input);  // the loss is fp32 under autocast, as PyTorch's lists say
  if (logits.device().is_cpu() && logits.scalar_type() == torch::kFloat32 && logits.requires_grad() &&
      torch::GradMode::is_enabled() && logits.dim() == 2) {
    return FusedCrossEntropy::apply(logits, targets);
  }
  return torch::nn::functional::cross_entropy(
      logits, targets, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreIndex));
}

}  // namespace temper::kernels
