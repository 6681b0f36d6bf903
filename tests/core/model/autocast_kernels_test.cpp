// Temper's fused CPU kernels under CPU bf16 autocast. GELU and cross-entropy read and write bf16
// themselves (computing in float); the others take the bf16 activations widened to fp32 at their door
// (core/model/kernels/autocast_widen.h), so they compute exactly what they compute for the widened
// tensor. Then whole models: loss and gradients under autocast against fp32, with tolerances from
// bf16's rounding.
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "core/common/bf16_bits.h"
#include "core/model/kernels/cross_entropy.h"
#include "core/model/kernels/gelu.h"
#include "core/model/llama_kernels.h"
#include "core/torch_compat/torch_compat.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"
#include "tests/support/cpu_autocast.h"

namespace temper {
namespace {

using test_support::CpuAutocast;

// One kernel of one input: under autocast on the bf16 tensor against the kernel on its exact fp32
// widening outside autocast. The widening is exact, so both compute on the same numbers; the only
// freedom is the kernels' vector loops, which split a row at the buffer's alignment and may sum in
// another order: values within a few fp32 ulps (rtol 1e-6), gradients the fp32 ones rounded to bf16
// (one rounding: 2^-8 relative).
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

TEST(AutocastKernels, SwigluTakesBf16Widened) {
  torch::manual_seed(11);
  auto up = torch::randn({4, 300}).to(torch::kBFloat16);
  expectWidenedExactly([&](const torch::Tensor& gate) { return llama_kernels::swiglu(gate, up); },
                       torch::randn({4, 300}).to(torch::kBFloat16));
}

TEST(Bf16Bits, RoundLikeLibTorchsOwnCast) {
  // Every bf16 pattern widens to the float LibTorch gives; floats around every rounding case
  // (ties, carries into the exponent, infinities, subnormals) narrow to LibTorch's bf16 bit for bit.
  auto all = torch::arange(0, 65536, torch::kInt32).to(torch::kInt16).view(torch::kBFloat16);
  auto widened = all.to(torch::kFloat32);
  const auto* in = reinterpret_cast<const uint16_t*>(all.data_ptr<at::BFloat16>());
  for (int64_t i = 0; i < all.numel(); ++i) {
    const float want = widened[i].item<float>();
    const float got = bf16ToFloat(in[i]);
    ASSERT_TRUE((std::isnan(want) && std::isnan(got)) || std::memcmp(&want, &got, 4) == 0) << i;
  }
  torch::manual_seed(13);
  std::vector<float> probes = {0.0f,     -0.0f,     1.0f, 1.00390625f, 1.005859375f, 3.3895313e38f,
                               INFINITY, -INFINITY, NAN,  1e-40f,      -1e-40f};
  auto random = torch::randn({20000}) * torch::pow(10.0, torch::randint(-30, 30, {20000}).to(torch::kFloat32));
  for (int64_t i = 0; i < random.numel(); ++i) probes.push_back(random[i].item<float>());
  auto floats = torch::tensor(probes);
  auto narrowed = floats.to(torch::kBFloat16);
  const auto* want = reinterpret_cast<const uint16_t*>(narrowed.data_ptr<at::BFloat16>());
  for (size_t i = 0; i < probes.size(); ++i) {
    if (std::isnan(probes[i])) {
      // LibTorch's own casts disagree on NaN's bits (scalar 0x7FC0, vectorised 0xFFFF): a NaN it must be.
      EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(probes[i]))));
    } else {
      ASSERT_EQ(floatToBf16(probes[i]), want[i]) << probes[i];
    }
  }
}

// The bf16 GELU and cross-entropy read bf16 and compute in float. Against the fp32 kernels on the
// exactly widened inputs: each bf16 output is one rounding of the float result (8 significant bits:
// at most 2^-8 relative), and the GELU gradient two (dy/dx kept in bf16, then the product): 2^-7.
TEST(AutocastKernels, GeluRunsInBf16WithinOneRounding) {
  torch::manual_seed(17);
  auto x16 = (torch::randn({3, 1001}) * 3).to(torch::kBFloat16).requires_grad_(true);
  torch::Tensor y16;
  {
    CpuAutocast autocast;
    y16 = kernels::geluTanh(x16);
  }
  ASSERT_EQ(y16.scalar_type(), torch::kBFloat16);
  auto x32 = x16.detach().to(torch::kFloat32).requires_grad_(true);
  auto y32 = kernels::geluTanh(x32);
  EXPECT_TRUE(torch::allclose(y16.to(torch::kFloat32), y32, std::pow(2.0, -8), 1e-30))
      << (y16.to(torch::kFloat32) - y32).abs().max();
  auto upstream = torch::randn_like(y32).to(torch::kBFloat16);
  y16.backward(upstream);
  y32.backward(upstream.to(torch::kFloat32));
  ASSERT_EQ(x16.grad().scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(torch::allclose(x16.grad().to(torch::kFloat32), x32.grad(), std::pow(2.0, -7), 1e-30))
      << (x16.grad().to(torch::kFloat32) - x32.grad()).abs().max();
}

TEST(AutocastKernels, CrossEntropyTakesBf16LogitsAndGivesAnFp32Loss) {
  torch::manual_seed(19);
  for (auto [rows, vocab] : {std::pair<int64_t, int64_t>{1, 7}, {37, 50}, {64, 4096}}) {
    auto logits16 = (torch::randn({rows, vocab}) * 4).to(torch::kBFloat16).requires_grad_(true);
    auto targets = torch::randint(0, vocab, {rows}, torch::kLong);
    if (rows > 2) targets[1] = -100;
    torch::Tensor loss16;
    {
      CpuAutocast autocast;
      loss16 = kernels::crossEntropy(logits16, targets);
    }
    ASSERT_EQ(loss16.scalar_type(), torch::kFloat32);
    auto logits32 = logits16.detach().to(torch::kFloat32).requires_grad_(true);
    auto loss32 = kernels::crossEntropy(logits32, targets);
    // The same float arithmetic on the same numbers, the row sums split alike: fp32 reassociation only.
    EXPECT_NEAR(loss16.item<double>(), loss32.item<double>(), 1e-6 * loss32.item<double>());
    (loss16 * 0.5).backward();
    (loss32 * 0.5).backward();
    ASSERT_EQ(logits16.grad().scalar_type(), torch::kBFloat16);
    EXPECT_TRUE(torch::allclose(logits16.grad().to(torch::kFloat32), logits32.grad(), std::pow(2.0, -8), 1e-30))
        << (logits16.grad().to(torch::kFloat32) - logits32.grad()).abs().max();
  }
}

// The frozen head's chunked loss under autocast against the head's bf16 product and the bf16 loss
// kernel on whole logits: the same bf16 products row for row, so the loss agrees to fp32 summation
// and the hidden states' gradient to a bf16 rounding.
TEST(AutocastKernels, FrozenHeadCrossEntropyFollowsTheWholeLogitsPath) {
  torch::manual_seed(23);
  const int64_t rows = 45, width = 32, vocab = 300;
  for (torch::ScalarType head_dtype : {torch::kFloat32, torch::kBFloat16}) {
    const torch::Tensor weight = (torch::randn({vocab, width}) * 0.3).to(head_dtype);
    torch::Tensor targets = torch::randint(0, vocab, {rows}, torch::kLong);
    targets[4] = -100;
    auto chunked_hidden = torch::randn({rows, width}).requires_grad_(true);
    auto whole_hidden = chunked_hidden.detach().clone().requires_grad_(true);
    torch::Tensor chunked, whole;
    {
      CpuAutocast autocast;
      chunked = kernels::frozenHeadCrossEntropy(chunked_hidden, weight, targets, 16);
      whole = kernels::crossEntropy(torch::linear(whole_hidden, weight), targets);
    }
    ASSERT_EQ(chunked.scalar_type(), torch::kFloat32);
    EXPECT_NEAR(chunked.item<double>(), whole.item<double>(), 1e-6 * whole.item<double>());
    chunked.backward();
    whole.backward();
    ASSERT_EQ(chunked_hidden.grad().scalar_type(), torch::kFloat32);
    EXPECT_TRUE(torch::allclose(chunked_hidden.grad(), whole_hidden.grad(), std::pow(2.0, -7), 1e-6))
        << (chunked_hidden.grad() - whole_hidden.grad()).abs().max();
  }
}

TEST(AutocastKernels, OutsideAutocastBf16StaysBf16) {
  // A model whose weights are bf16 (no autocast): the kernel keeps the dtype, as the next product needs.
  auto x = torch::randn({3, 10}).to(torch::kBFloat16);
  EXPECT_EQ(kernels::geluTanh(x).scalar_type(), torch::kBFloat16);
  EXPECT_EQ(llama_kernels::swiglu(x, x).scalar_type(), torch::kBFloat16);
}

// Loss and gradients of a model under autocast against fp32. bf16 keeps 8 significant bits: each
// product's operands carry a relative error up to 2^-8, and through a few layers the logits move by
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
