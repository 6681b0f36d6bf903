#include "core/quant/quantized_linear.h"

#include <torch/csrc/autograd/function.h>

#include "core/model/linear_projection.h"
#include "core/quant/product_dtype.h"
#include "core/torch_compat/torch_compat.h"

namespace temper {
namespace {

/// The node of one quantised product: its input is grad_y, its one next edge x's gradient. It holds
/// the quantised weight only (shared with the layer), never a dequantised copy.
class QuantizedLinearBackward final : public torch::autograd::Node {
 public:
  QuantizedLinearBackward(std::shared_ptr<const QuantizedWeight> weight, torch::ScalarType input_dtype)
      : weight_(std::move(weight)), input_dtype_(input_dtype) {}

  torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override {
    TORCH_CHECK(weight_, "a quantised linear was back-propagated twice; its graph was released");
    const torch::Tensor& grad = grads.at(0);
    if (!grad.defined()) return {torch::Tensor()};
    torch::Tensor grad_x;
    {
      torch::NoGradGuard no_grad;
      grad_x = grad.matmul(weight_->dequantize(grad.scalar_type()));
    }
    return {grad_x.scalar_type() == input_dtype_ ? grad_x : grad_x.to(input_dtype_)};
  }

  std::string name() const override { return "QuantizedLinearBackward"; }
  void release_variables() override { weight_.reset(); }

 private:
  std::shared_ptr<const QuantizedWeight> weight_;
  torch::ScalarType input_dtype_;
};

}  // namespace

torch::Tensor quantizedLinear(const torch::Tensor& x, std::shared_ptr<const QuantizedWeight> weight,
                              const torch::Tensor& bias) {
  TORCH_CHECK(weight, "quantizedLinear: no weight");
  TORCH_CHECK(x.size(-1) == weight->cols(), "quantizedLinear: input has ", x.size(-1), " features, the weight ",
              weight->cols());
  const bool grad_mode = torch::GradMode::is_enabled();
  const bool bias_trains = bias.defined() && bias.requires_grad() && grad_mode;
  torch::Tensor out;
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor w = weight->dequantize(productDtype(x));
    out = projectRows(x.detach(), w, bias_trains ? torch::Tensor() : bias);
  }  // the dequantised weight is freed here
  if (grad_mode && x.requires_grad()) {
    // A plain (non-view) tensor to carry the node, as checkpointBlock does.
    out = out.detach();
    auto node = compat::makeAutogradNode<QuantizedLinearBackward>(std::move(weight), x.scalar_type());
    node->set_next_edges(torch::autograd::collect_next_edges(x));
    torch::autograd::create_gradient_edge(out, node);
  }
  return bias_trains ? out + bias : out;
}

}  // namespace temper
