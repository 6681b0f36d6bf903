// Temper's fused CPU kernels under CPU bf16 autocast: the bf16 activations the products hand them
// are widened to fp32 at their door (core/model/kernels/autocast_widen.h), so each kernel computes
// exactly what it computes for the widened fp32 tensor, and its gradient reaches the bf16 input as
// that fp32 gradient rounded to bf16. Then whole models: loss and gradients under autocast against
// fp32, with tolerances from bf16's rounding.
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/model/kernels/cross_entropy.h"
#include "core/model/kernels/gelu.h"
#include "core/model/llama_kernels.h"
#include "core/torch_compat/torch_compat.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"

namespace temper {
namespace {

// CPU autocast on with bf16 for the scope of a test (what the trainer's AutocastScope does).
class CpuAutocast {
 public:
  CpuAutocast() {
    compat::setAutocastDtype(at::kCPU, at::kBFloat16);
    compat::setAutocastEnabled(at::kCPU, true);
  }
  ~CpuAutocast() {
    compat::setAutocastEnabled(at::kCPU, false);
    at::autocast::clear_cache();
  }
};

// One kernel of one input: under autocast on the bf16 tensor against the kernel on its exact fp32
// widening outside autocast. The widening is exact, so both compute on the same numbers; the only
// freedom is the kernels' vector loops, which split a row at the buffer's alignment and may sum in
// another order: values within a few fp32 ulps (rtol 1e-6), gradients the fp32 ones rounded to bf16
// (within one bf16 ulp, 2^-8 relative).
void expectWidenedExactly(const std::function<torch::Tensor(const torch::Tensor&)>& kernel, const torch::Tensor& x16) {
  auto x = x16.detach().clone().requires_grad_(true);
  torch::Tensor y;
  {
    CpuAutocast autocast;
    y = kernel(x);
  }
  auto xw = x16.detach().to(torch::kFloat32).requires_grad_(true);
  auto yw = kernel(xw);
  ASSERT_EQ(y.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::allclose(y, yw, 1e-6, 1e-7)) << (y - yw).abs().max();
  auto upstream = torch::randn_like(yw);
  y.backward(upstream);
  yw.backward(upstream);
  ASSERT_EQ(x.grad().scalar_type(), torch::kBFloat16);
  const auto g = x.grad().to(torch::kFloat32), gw = xw.grad();
  EXPECT_TRUE(torch::allclose(g, gw, std::pow(2.0, -8), 1e-7)) << (g - gw).abs().max();
}

TEST(AutocastKernels, GeluSwigluAndCrossEntropyTakeBf16Widened) {
  torch::manual_seed(11);
  expectWidenedExactly([](const torch::Tensor& x) { return kernels::geluTanh(x); },
                       (torch::randn({4, 300}) * 3).to(torch::kBFloat16));
  auto up = torch::randn({4, 300}).to(torch::kBFloat16);
  expectWidenedExactly([&](const torch::Tensor& gate) { return llama_kernels::swiglu(gate, up); },
                       torch::randn({4, 300}).to(torch::kBFloat16));
  auto targets = torch::randint(0, 50, {37}, torch::kLong);
  expectWidenedExactly([&](const torch::Tensor& logits) { return kernels::crossEntropy(logits, targets); },
                       (torch::randn({37, 50}) * 4).to(torch::kBFloat16));
}

TEST(AutocastKernels, OutsideAutocastBf16StaysBf16) {
  // A model whose weights are bf16 (no autocast): the kernel keeps the dtype, as the next product needs.
  auto x = torch::randn({3, 10}).to(torch::kBFloat16);
  EXPECT_EQ(kernels::geluTanh(x).scalar_type(), torch::kBFloat16);
  EXPECT_EQ(llama_kernels::swiglu(x, x).scalar_type(), torch::kBFloat16);
}

// Loss and gradients of a model under autocast against fp32. bf16 keeps 8 significant bits: each
// product's operands carry a relative error up to 2^-9, and through a few layers the logits move by
// a few tenths of a percent of their scale. The loss (ln V ~ 3.7 here) is held to 2%, and every
// parameter's gradient to a cosine similarity of 0.99 with the fp32 gradient (the direction is what
// the optimizer follows; a kernel that dropped or misrouted a term gives cosines far below that).
void expectAutocastCloseToFp32(CausalLm model, int64_t vocab, int64_t steps) {
  auto ids = test::randomIds(2, steps, vocab, 3), targets = test::randomIds(2, steps, vocab, 4);
  model->zero_grad();
  auto loss32 = model->loss(ids, targets);
  loss32.backward();
  std::vector<torch::Tensor> grads32;
  for (const auto& p : model->parameters()) grads32.push_back(p.grad().clone());
  model->zero_grad();
  torch::Tensor loss16;
  {
    CpuAutocast autocast;
    loss16 = model->loss(ids, targets);
  }
  ASSERT_EQ(loss16.scalar_type(), torch::kFloat32) << "the loss is fp32 under autocast";
  loss16.backward();
  EXPECT_NEAR(loss16.item<double>(), loss32.item<double>(), 0.02 * loss32.item<double>());
  size_t i = 0;
  for (const auto& p : model->parameters()) {
    auto g16 = p.grad().to(torch::kDouble).flatten(), g32 = grads32[i++].to(torch::kDouble).flatten();
    ASSERT_EQ(p.grad().scalar_type(), torch::kFloat32) << "gradients stay fp32 (the weights are fp32)";
    const double cosine = (g16.dot(g32) / (g16.norm() * g32.norm() + 1e-30)).item<double>();
    EXPECT_GT(cosine, 0.99) << "parameter " << i - 1;
  }
}

TEST(AutocastKernels, GptUnderBf16AutocastFollowsFp32) {
  GptConfig c = test::smallConfig();
  expectAutocastCloseToFp32(test::randomModel(c, 21).ptr(), c.vocab_size, 16);
}

TEST(AutocastKernels, LlamaUnderBf16AutocastFollowsFp32) {
  LlamaConfig c = test::smallLlamaConfig();
  expectAutocastCloseToFp32(test::randomLlama(c, 22).ptr(), c.vocab_size, 16);
}

}  // namespace
}  // namespace temper
