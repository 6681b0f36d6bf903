#include "core/quant/row_chunked_linear.h"

#include <torch/csrc/autograd/function.h>

#include <algorithm>

#include "core/quant/product_dtype.h"
#include "core/torch_compat/torch_compat.h"

namespace temper {
namespace {

int64_t rowsPerChunk(const torch::Tensor& weight, int64_t chunk_rows) {
  if (chunk_rows > 0) return chunk_rows;
  return std::max<int64_t>(1, kRowChunkValues / std::max<int64_t>(1, weight.size(1)));
}

/// (N, in) x (out, in)ᵀ -> (N, out) in `dtype`, the weight widened `rows` rows at a time.
torch::Tensor productInChunks(const torch::Tensor& x2d, const torch::Tensor& weight, torch::ScalarType dtype,
                              int64_t rows) {
  const int64_t out_features = weight.size(0);
  auto out = torch::empty({x2d.size(0), out_features}, x2d.options().dtype(dtype));
  const torch::Tensor x = x2d.to(dtype);
  for (int64_t first = 0; first < out_features; first += rows) {
    const int64_t count = std::min(rows, out_features - first);
    out.narrow(1, first, count).copy_(x.matmul(weight.narrow(0, first, count).to(dtype).t()));
  }
  return out;
}

/// grad_x = grad_y W, summed over the same row chunks.
class RowChunkedLinearBackward final : public torch::autograd::Node {
 public:
  RowChunkedLinearBackward(torch::Tensor weight, int64_t rows, std::vector<int64_t> input_sizes,
                           torch::ScalarType input_dtype)
      : weight_(std::move(weight)), rows_(rows), input_sizes_(std::move(input_sizes)), input_dtype_(input_dtype) {}

  torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override {
    TORCH_CHECK(weight_.defined(), "a row-chunked linear was back-propagated twice; its graph was released");
    const torch::Tensor& grad = grads.at(0);
    if (!grad.defined()) return {torch::Tensor()};
    torch::NoGradGuard no_grad;
    const torch::ScalarType dtype = grad.scalar_type();
    const torch::Tensor grad2d = grad.reshape({-1, weight_.size(0)});
    auto grad_x = torch::zeros({grad2d.size(0), weight_.size(1)}, grad2d.options());
    for (int64_t first = 0; first < weight_.size(0); first += rows_) {
      const int64_t count = std::min(rows_, weight_.size(0) - first);
      grad_x.addmm_(grad2d.narrow(1, first, count), weight_.narrow(0, first, count).to(dtype));
    }
    grad_x = grad_x.view(input_sizes_);
    return {grad_x.scalar_type() == input_dtype_ ? grad_x : grad_x.to(input_dtype_)};
  }

  std::string name() const override { return "RowChunkedLinearBackward"; }
  void release_variables() override { weight_ = torch::Tensor(); }

 private:
  torch::Tensor weight_;
  int64_t rows_;
  std::vector<int64_t> input_sizes_;
  torch::ScalarType input_dtype_;
};

}  // namespace

torch::Tensor frozenLinearInRowChunks(const torch::Tensor& x, const torch::Tensor& weight, int64_t chunk_rows) {
  TORCH_CHECK(weight.dim() == 2 && x.size(-1) == weight.size(1), "frozenLinearInRowChunks: input has ", x.size(-1),
              " features, the weight ", weight.sizes());
  TORCH_CHECK(!weight.requires_grad(), "frozenLinearInRowChunks: the weight must be frozen");
  const int64_t rows = rowsPerChunk(weight, chunk_rows);
  torch::Tensor out;
  {
    torch::NoGradGuard no_grad;
    out = productInChunks(x.detach().reshape({-1, x.size(-1)}), weight, productDtype(x), rows);
    auto sizes = x.sizes().vec();
    sizes.back() = weight.size(0);
    out = out.view(sizes);
  }
  if (torch::GradMode::is_enabled() && x.requires_grad()) {
    out = out.detach();  // a plain (non-view) tensor to carry the node, as quantizedLinear does
    auto node =
        compat::makeAutogradNode<RowChunkedLinearBackward>(weight.detach(), rows, x.sizes().vec(), x.scalar_type());
    node->set_next_edges(torch::autograd::collect_next_edges(x));
    torch::autograd::create_gradient_edge(out, node);
  }
  return out;
}

}  // namespace temper
