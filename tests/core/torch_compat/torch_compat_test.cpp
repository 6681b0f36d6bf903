// The LibTorch compatibility layer (core/torch_compat) gives the same meaning in both builds: the
// library attention against softmax(q kᵀ/√D + mask) v written out in float64, the model's two CPU
// attention paths (Temper's fused kernel, the library's) giving one loss and one gradient, the fused
// AdamW step against torch.optim.AdamW's formula, and the version facts the engine reports.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <cmath>
#include <limits>
#include <regex>

#include "core/model/gpt.h"
#include "core/model/llama.h"
#include "core/torch_compat/torch_compat.h"

namespace temper {
namespace {

/// The textbook attention, double precision: query t (position past + t) sees keys 0..past + t.
torch::Tensor referenceAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t past) {
  const int64_t steps = q.size(2), keys = k.size(2);
  auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(q.size(3)));
  auto future = torch::ones({steps, keys}, torch::kBool).triu(past + 1);
  scores = scores.masked_fill(future, -std::numeric_limits<double>::infinity());
  return torch::matmul(torch::softmax(scores, -1), v);
}

torch::Tensor additiveMask(int64_t steps, int64_t past) {
  auto future = torch::ones({steps, past + steps}, torch::kBool).triu(past + 1);
  return torch::zeros({steps, past + steps}, torch::kDouble)
      .masked_fill(future, -std::numeric_limits<double>::infinity());
}

/// Largest |got - want| relative to the largest |want| (at least 1): float64 semantics checks
/// allow 1e-12 of it, ten thousand roundoffs, where a wrong mask or scale moves results by 1e-2.
double relativeError(const torch::Tensor& got, const torch::Tensor& want) {
  const double scale = std::max(1.0, want.abs().max().item<double>());
  return (got - want).abs().max().item<double>() / scale;
}

struct OwnAttentionGuard {
  bool saved = compat::preferOwnCpuAttention();
  ~OwnAttentionGuard() { compat::setPreferOwnCpuAttention(saved); }
};

TEST(TorchCompat, CausalAttentionIsTheTextbookFormula) {
  torch::manual_seed(3);
  // (past, steps): a whole sequence, a chunk after a cached past, one decoding step.
  for (auto [past, steps] : {std::pair<int64_t, int64_t>{0, 7}, {5, 3}, {6, 1}}) {
    const auto options = torch::TensorOptions().dtype(torch::kDouble);
    auto q = torch::randn({2, 3, steps, 8}, options);
    auto k = torch::randn({2, 3, past + steps, 8}, options);
    auto v = torch::randn({2, 3, past + steps, 8}, options);
    bool mask_asked = false;
    auto mask = [&] {
      mask_asked = true;
      return additiveMask(steps, past);
    };
    auto got = compat::causalAttention(q, k, v, past, mask, 0.0);
    EXPECT_LT(relativeError(got, referenceAttention(q, k, v, past)), 1e-12) << "past " << past << ", steps " << steps;
    // LibTorch 2.x needs the mask only for a chunk after a past; 1.13 always adds it.
    if (compat::hasFusedAttention()) {
      EXPECT_EQ(mask_asked, past > 0 && steps > 1) << "past " << past;
    }
  }
}

TEST(TorchCompat, BothCpuAttentionPathsTrainTheSameModels) {
  OwnAttentionGuard restore;
  GptConfig gc;
  gc.vocab_size = 40, gc.context = 12, gc.dim = 32, gc.layers = 2, gc.heads = 4;
  LlamaConfig lc;
  lc.vocab_size = 40, lc.max_positions = 12, lc.hidden_size = 32, lc.intermediate_size = 48, lc.layers = 2;
  lc.heads = 4, lc.kv_heads = 2, lc.head_dim = 8;
  torch::manual_seed(5);
  Gpt gpt(gc);
  Llama llama(lc);
  gpt->to(torch::kDouble);
  llama->to(torch::kDouble);
  auto ids = torch::randint(40, {3, 12}, torch::kLong);
  auto targets = torch::randint(40, {3, 12}, torch::kLong);
  for (CausalLmImpl* model : {static_cast<CausalLmImpl*>(gpt.get()), static_cast<CausalLmImpl*>(llama.get())}) {
    std::vector<torch::Tensor> losses, grads;
    for (bool own : {true, false}) {
      compat::setPreferOwnCpuAttention(own);
      model->zero_grad();
      auto loss = model->loss(ids, targets);
      loss.backward();
      losses.push_back(loss.detach());
      std::vector<torch::Tensor> flat;
      for (const auto& p : model->parameters()) flat.push_back(p.grad().flatten());
      grads.push_back(torch::cat(flat));
    }
    EXPECT_LT(relativeError(losses[1], losses[0]), 1e-12);
    EXPECT_LT(relativeError(grads[1], grads[0]), 1e-12);
  }
}

TEST(TorchCompat, FusedAdamWIsTorchOptimAdamW) {
  if (!compat::hasFusedAdamW(torch::kCPU)) {
    GTEST_SKIP() << "LibTorch " << compat::torchVersion() << " has no fused AdamW (needs 2.4 or newer)";
  }
  torch::manual_seed(7);
  const auto options = torch::TensorOptions().dtype(torch::kDouble);
  auto params = torch::randn({257}, options), grads = torch::randn({257}, options);
  auto exp_avg = torch::randn({257}, options) * 0.1, exp_avg_sq = torch::rand({257}, options) * 0.1;
  const double lr = 3e-3, beta1 = 0.9, beta2 = 0.95, weight_decay = 0.1, eps = 1e-8;
  const int64_t step = 4;
  // torch.optim.AdamW's update, written out.
  auto want_avg = beta1 * exp_avg + (1 - beta1) * grads;
  auto want_sq = beta2 * exp_avg_sq + (1 - beta2) * grads * grads;
  const double bc1 = 1 - std::pow(beta1, step), bc2 = 1 - std::pow(beta2, step);
  auto want = params * (1 - lr * weight_decay) - (lr / bc1) * want_avg / (want_sq.sqrt() / std::sqrt(bc2) + eps);

  compat::fusedAdamWStep(params, grads, exp_avg, exp_avg_sq, step, lr, beta1, beta2, weight_decay, eps);
  EXPECT_LT(relativeError(exp_avg, want_avg), 1e-12);
  EXPECT_LT(relativeError(exp_avg_sq, want_sq), 1e-12);
  EXPECT_LT(relativeError(params, want), 1e-12);
}

TEST(TorchCompat, VersionsAreWhatTheBuildIs) {
  const std::string version = compat::torchVersion();
  EXPECT_TRUE(std::regex_match(version, std::regex(R"(\d+\.\d+\.\d+.*)"))) << version;
  const std::string cuda = compat::cudaBuildVersion();
  if (version.rfind("1.", 0) == 0) {
    EXPECT_EQ(cuda, "") << "Debian's LibTorch 1.13 is a CPU build";
    EXPECT_FALSE(compat::hasFusedAttention());
  } else {
    EXPECT_TRUE(compat::hasFusedAttention());
    EXPECT_TRUE(cuda.empty() || std::regex_match(cuda, std::regex(R"(\d+\.\d)"))) << cuda;
  }
}

TEST(TorchCompat, AutocastStateRoundTripsPerDevice) {
  for (at::DeviceType device : {at::kCPU, at::kCUDA}) {
    const at::DeviceType other = device == at::kCPU ? at::kCUDA : at::kCPU;
    const bool was = compat::autocastEnabled(device), other_was = compat::autocastEnabled(other);
    const auto dtype = compat::autocastDtype(device);
    compat::setAutocastDtype(device, torch::kBFloat16);
    compat::setAutocastEnabled(device, true);
    EXPECT_TRUE(compat::autocastEnabled(device));
    EXPECT_EQ(compat::autocastDtype(device), torch::kBFloat16);
    EXPECT_EQ(compat::autocastEnabled(other), other_was) << "one device's switch moved the other's";
    compat::setAutocastEnabled(device, was);
    compat::setAutocastDtype(device, dtype);
    EXPECT_EQ(compat::autocastEnabled(device), was);
    EXPECT_EQ(compat::autocastDtype(device), dtype);
  }
}

TEST(TorchCompat, CpuAutocastRunsLinearInBf16) {
  compat::setAutocastDtype(at::kCPU, torch::kBFloat16);
  compat::setAutocastEnabled(at::kCPU, true);
  auto y = torch::linear(torch::randn({4, 8}), torch::randn({3, 8}));
  compat::setAutocastEnabled(at::kCPU, false);
  EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
  EXPECT_EQ(torch::linear(torch::randn({4, 8}), torch::randn({3, 8})).scalar_type(), torch::kFloat);
}

}  // namespace
}  // namespace temper
