// The fused CPU kernels against LibTorch's own ops, which are the reference they replace.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include "core/common/fast_math.h"
#include "core/model/kernels/cross_entropy.h"
#include "core/model/kernels/gelu.h"

namespace temper::kernels {
namespace {

TEST(FastExp, RelativeErrorBelowTwoMillionthsOverTheFloatRange) {
  double worst = 0;
  for (float x = -87.0f; x <= 88.0f; x += 0.00731f) {
    double exact = std::exp(static_cast<double>(x));
    double error = std::abs(static_cast<double>(fastExp(x)) - exact) / exact;
    worst = std::max(worst, error);
  }
  EXPECT_LT(worst, 2e-7);
  EXPECT_EQ(fastExp(-1000.0f) < 1e-37f, true);
  EXPECT_TRUE(std::isfinite(fastExp(1000.0f)));
}

TEST(FusedCrossEntropy, LossAndGradientMatchLibTorch) {
  torch::manual_seed(3);
  for (auto [rows, vocab] : {std::pair<int64_t, int64_t>{1, 7}, {37, 50}, {256, 4096}}) {
    auto logits = (torch::randn({rows, vocab}) * 4).requires_grad_(true);
    auto targets = torch::randint(0, vocab, {rows}, torch::kLong);
    if (rows > 2) targets[1] = -100;  // ignored position
    auto reference_logits = logits.detach().clone().requires_grad_(true);
    auto loss = crossEntropy(logits, targets);
    auto reference = torch::nn::functional::cross_entropy(
        reference_logits, targets, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
    EXPECT_NEAR(loss.item<double>(), reference.item<double>(), 1e-5 * std::max(1.0, reference.item<double>()));
    (loss * 0.5).backward();  // an upstream gradient other than 1 (gradient accumulation)
    (reference * 0.5).backward();
    EXPECT_TRUE(torch::allclose(logits.grad(), reference_logits.grad(), 1e-5, 1e-7))
        << (logits.grad() - reference_logits.grad()).abs().max();
  }
}

TEST(FusedCrossEntropy, WithoutGradientItIsTheReferencePath) {
  auto logits = torch::randn({4, 9});
  auto targets = torch::tensor({1, 2, 3, 4}, torch::kLong);
  auto reference = torch::nn::functional::cross_entropy(logits, targets);
  EXPECT_EQ(crossEntropy(logits, targets).item<double>(), reference.item<double>());
}

// float64 reference: the whole (N, V) logits, LibTorch's cross-entropy, autograd's grad of hidden.
TEST(FrozenHeadCrossEntropy, LossAndHiddenGradientMatchAFloat64ReferenceForEveryChunking) {
  torch::manual_seed(5);
  const int64_t rows = 37, width = 16, vocab = 50;
  const torch::Tensor weight = torch::randn({vocab, width}) * 0.5;
  torch::Tensor targets = torch::randint(0, vocab, {rows}, torch::kLong);
  targets[1] = -100;
  targets[30] = -100;
  auto hidden64 = torch::randn({rows, width}, torch::kFloat64).requires_grad_(true);
  auto reference =
      torch::nn::functional::cross_entropy(torch::linear(hidden64, weight.to(torch::kFloat64)), targets,
                                           torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
  (reference * 0.5).backward();
  for (int64_t chunk : {1, 5, 36, 37, 0}) {
    auto hidden = hidden64.detach().to(torch::kFloat32).requires_grad_(true);
    auto loss = frozenHeadCrossEntropy(hidden.view({1, rows, width}), weight, targets.view({1, rows}), chunk);
    ASSERT_EQ(loss.scalar_type(), torch::kFloat32);
    // fp32 products and fastExp (2e-7 relative) against float64: a few ulps of fp32.
    EXPECT_NEAR(loss.item<double>(), reference.item<double>(), 1e-5 * reference.item<double>()) << "chunk " << chunk;
    (loss * 0.5).backward();  // an upstream gradient other than 1 (gradient accumulation)
    EXPECT_TRUE(torch::allclose(hidden.grad().to(torch::kFloat64), hidden64.grad(), 1e-5, 1e-8))
        << "chunk " << chunk << ": " << (hidden.grad().to(torch::kFloat64) - hidden64.grad()).abs().max();
    EXPECT_TRUE(hidden.grad()[1].abs().max().item<double>() == 0.0) << "an ignored position gets no gradient";
  }
  EXPECT_THROW(frozenHeadCrossEntropy(hidden64.detach().to(torch::kFloat32).requires_grad_(true),
                                      weight.clone().requires_grad_(true), targets),
               c10::Error);
}

TEST(FusedGelu, ValuesAndGradientMatchLibTorch) {
  torch::manual_seed(5);
  auto x = (torch::randn({3, 1001}) * 3).requires_grad_(true);
  auto reference_x = x.detach().clone().requires_grad_(true);
  auto y = geluTanh(x);
  auto reference = torch::gelu(reference_x, "tanh");
  EXPECT_TRUE(torch::allclose(y, reference, 1e-5, 1e-6)) << (y - reference).abs().max();
  auto upstream = torch::randn_like(y);
  y.backward(upstream);
  reference.backward(upstream);
  EXPECT_TRUE(torch::allclose(x.grad(), reference_x.grad(), 1e-5, 1e-5)) << (x.grad() - reference_x.grad()).abs().max();
}

TEST(FusedGelu, ExtremeInputsStayFinite) {
  auto x = torch::tensor({-1e4f, -30.0f, -5.0f, 0.0f, 5.0f, 30.0f, 1e4f}).requires_grad_(true);
  auto y = geluTanh(x);
  y.sum().backward();
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  EXPECT_TRUE(torch::isfinite(x.grad()).all().item<bool>());
  EXPECT_NEAR(y[6].item<float>(), 1e4f, 1e-2);
  EXPECT_NEAR(y[0].item<float>(), 0.0f, 1e-6);
}

}  // namespace
}  // namespace temper::kernels
