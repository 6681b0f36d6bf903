#include "core/quant/quantized_linear.h"

#include <torch/csrc/autograd/function.h>

#include <algorithm>

#include "core/model/linear_projection.h"
#include "core/quant/product_dtype.h"
#include "core/quant/row_chunked_linear.h"
#include "core/torch_compat/torch_compat.h"

namespace temper {
namespace {

int64_t rowsPerChunk(const QuantizedWeight& weight, int64_t chunk_rows) {
  if (chunk_rows > 0) return std::min(chunk_rows, weight.rows());
  return std::clamp<int64_t>(kRowChunkValues / std::max<int64_t>(1, weight.cols()), 1, weight.rows());
}

/// The buffer a layer (or a wide layer's chunk) is dequantised into, one per thread (autograd runs
/// a CPU backward on the thread that called it), reused layer after layer and step after step: a
/// product consumes it before the next dequantisation writes it, in order on a CUDA stream too.
/// Without it every dequantisation was a fresh allocation of up to 16 MiB, which under the
/// memory-first allocator policy of a QLoRA run (core/engine/allocator_tuning.h) the kernel maps
/// and zeroes anew: twice per projection per step, the size of the whole base in fp32.
torch::Tensor& chunkScratch() {
  thread_local torch::Tensor scratch;
  return scratch;
}

/// x (..., in) times W (out, in)ᵀ + bias in `dtype` (what productDtype chose; x is cast once), W
/// dequantised `rows` rows at a time into (..., out). `bias` may be undefined.
torch::Tensor productInRowChunks(const torch::Tensor& x, const QuantizedWeight& weight, const torch::Tensor& bias,
                                 torch::ScalarType dtype, int64_t rows) {
  const torch::Tensor x2d = x.reshape({-1, x.size(-1)}).to(dtype);
  auto out = torch::empty({x2d.size(0), weight.rows()}, x2d.options());
  for (int64_t first = 0; first < weight.rows(); first += rows) {
    const int64_t count = std::min(rows, weight.rows() - first);
    const torch::Tensor b = bias.defined() ? bias.narrow(0, first, count) : torch::Tensor();
    out.narrow(1, first, count)
        .copy_(torch::linear(x2d, weight.dequantizeRows(first, count, dtype, &chunkScratch()), b));
  }
  auto sizes = x.sizes().vec();
  sizes.back() = weight.rows();
  return out.view(sizes);
}

/// The node of one quantised product: its input is grad_y, its one next edge x's gradient. It holds
/// the quantised weight only (shared with the layer), never a dequantised copy.
class QuantizedLinearBackward final : public torch::autograd::Node {
 public:
  QuantizedLinearBackward(std::shared_ptr<const QuantizedWeight> weight, torch::ScalarType input_dtype, int64_t rows)
      : weight_(std::move(weight)), input_dtype_(input_dtype), rows_(rows) {}

  torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override {
    TORCH_CHECK(weight_, "a quantised linear was back-propagated twice; its graph was released");
    const torch::Tensor& grad = grads.at(0);
    if (!grad.defined()) return {torch::Tensor()};
    torch::Tensor grad_x;
    {
      torch::NoGradGuard no_grad;
      const torch::ScalarType dtype = grad.scalar_type();
      if (rows_ >= weight_->rows()) {
        grad_x = grad.matmul(weight_->dequantizeRows(0, weight_->rows(), dtype, &chunkScratch()));
      } else {
        // grad_x = grad_y W, summed over the same row chunks as the forward pass.
        const torch::Tensor grad2d = grad.reshape({-1, weight_->rows()});
        auto sum = torch::zeros({grad2d.size(0), weight_->cols()}, grad2d.options());
        for (int64_t first = 0; first < weight_->rows(); first += rows_) {
          const int64_t count = std::min(rows_, weight_->rows() - first);
          sum.addmm_(grad2d.narrow(1, first, count), weight_->dequantizeRows(first, count, dtype, &chunkScratch()));
        }
        auto sizes = grad.sizes().vec();
        sizes.back() = weight_->cols();
        grad_x = sum.view(sizes);
      }
    }
    return {grad_x.scalar_type() == input_dtype_ ? grad_x : grad_x.to(input_dtype_)};
  }

  std::string name() const override { return "QuantizedLinearBackward"; }
  void release_variables() override { weight_.reset(); }

 private:
  std::shared_ptr<const QuantizedWeight> weight_;
  torch::ScalarType input_dtype_;
  int64_t rows_;
};

}  // namespace

torch::Tensor quantizedLinear(const torch::Tensor& x, std::shared_ptr<const QuantizedWeight> weight,
                              const torch::Tensor& bias, int64_t chunk_rows) {
  TORCH_CHECK(weight, "quantizedLinear: no weight");
  TORCH_CHECK(x.size(-1) == weight->cols(), "quantizedLinear: input has ", x.size(-1), " features, the weight ",
              weight->cols());
  const bool grad_mode = torch::GradMode::is_enabled();
  const bool bias_trains = bias.defined() && bias.requires_grad() && grad_mode;
  const torch::Tensor frozen_bias = bias_trains ? torch::Tensor() : bias;
  const int64_t rows = rowsPerChunk(*weight, chunk_rows);
  torch::Tensor out;
  {
    torch::NoGradGuard no_grad;
    if (rows >= weight->rows()) {
      out = projectRows(x.detach(), weight->dequantizeRows(0, weight->rows(), productDtype(x), &chunkScratch()),
                        frozen_bias);
    } else {
      out = productInRowChunks(x.detach(), *weight, frozen_bias, productDtype(x), rows);
    }
  }  // the dequantised weight (or chunk) is freed here
  if (grad_mode && x.requires_grad()) {
    // A plain (non-view) tensor to carry the node, as checkpointBlock does.
    out = out.detach();
    auto node = compat::makeAutogradNode<QuantizedLinearBackward>(std::move(weight), x.scalar_type(), rows);
    node->set_next_edges(torch::autograd::collect_next_edges(x));
    torch::autograd::create_gradient_edge(out, node);
  }
  return bias_trains ? out + bias : out;
}

}  // namespace temper
