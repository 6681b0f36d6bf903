// The CPU causal-attention kernel against the eager composition it replaces (forward and autograd
// backward), against central finite differences in double, and a disabled timing against eager:
//   model_test --gtest_filter='CpuAttention*Benchmark*' --gtest_also_run_disabled_tests
// (BLAS chosen with LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp or openblas-pthread).
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include "core/model/cpu_attention.h"

namespace temper {
namespace {

/// softmax(q k^T / sqrt(D) + causal mask) v per head, by view/transpose/matmul/masked softmax/matmul.
torch::Tensor referenceAttention(const torch::Tensor& qkv, int64_t heads) {
  const int64_t batch = qkv.size(0), steps = qkv.size(1), channels = qkv.size(2) / 3;
  const int64_t head_dim = channels / heads;
  auto parts = qkv.split(channels, 2);
  auto toHeads = [&](const torch::Tensor& t) { return t.reshape({batch, steps, heads, head_dim}).transpose(1, 2); };
  auto q = toHeads(parts[0]), k = toHeads(parts[1]), v = toHeads(parts[2]);
  auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(head_dim));
  auto above = torch::ones({steps, steps}, torch::kBool).triu(1);
  scores = scores.masked_fill(above, -std::numeric_limits<double>::infinity());
  auto y = torch::matmul(torch::softmax(scores, -1), v);
  return y.transpose(1, 2).reshape({batch, steps, channels});
}

/// The model's LibTorch 1.13 eager path before this kernel: head views, baddbmm with an additive
/// mask, softmax, bmm, transpose back.
torch::Tensor eagerModelAttention(const torch::Tensor& qkv, int64_t heads, const torch::Tensor& bias) {
  const int64_t batch = qkv.size(0), steps = qkv.size(1), channels = qkv.size(2) / 3;
  const int64_t head_dim = channels / heads;
  auto parts = qkv.split(channels, 2);
  auto toHeads = [&](const torch::Tensor& t) { return t.view({batch, steps, heads, head_dim}).transpose(1, 2); };
  auto q3 = toHeads(parts[0]).reshape({batch * heads, steps, head_dim});
  auto k3 = toHeads(parts[1]).reshape({batch * heads, steps, head_dim});
  auto v3 = toHeads(parts[2]).reshape({batch * heads, steps, head_dim});
  auto scores = torch::baddbmm(bias, q3, k3.transpose(1, 2), 1.0, 1.0 / std::sqrt(static_cast<double>(head_dim)));
  auto y = torch::bmm(torch::softmax(scores, -1), v3).view({batch, heads, steps, head_dim});
  return y.transpose(1, 2).reshape({batch, steps, channels});
}

struct Case {
  int64_t batch, steps, channels, heads;
};

std::string describe(const Case& c) {
  return "B=" + std::to_string(c.batch) + " T=" + std::to_string(c.steps) + " C=" + std::to_string(c.channels) +
         " H=" + std::to_string(c.heads) + " D=" + std::to_string(c.channels / c.heads);
}

// T below, at, and across the 64-row block (1, 5, 63, 64, 65, 100, 130, 256), H = 1 and several,
// D = 32 and 64, B = 1 and 3.
const std::vector<Case> kCases{
    {1, 1, 64, 1},    {3, 5, 64, 2},    {1, 63, 32, 1},   {2, 64, 128, 2}, {3, 65, 64, 1},
    {2, 100, 128, 4}, {3, 130, 256, 4}, {1, 256, 128, 2}, {2, 77, 96, 3},
};

TEST(CpuAttention, ForwardMatchesReferenceComposition) {
  torch::manual_seed(1);
  for (const auto& c : kCases) {
    SCOPED_TRACE(describe(c));
    auto qkv = torch::randn({c.batch, c.steps, 3 * c.channels});
    auto y = causalAttentionCpu(qkv, c.heads);
    ASSERT_EQ(y.sizes(), (std::vector<int64_t>{c.batch, c.steps, c.channels}));
    EXPECT_TRUE(y.is_contiguous());
    auto expected = referenceAttention(qkv, c.heads);
    EXPECT_LT((y - expected).abs().max().item<double>(), 1e-5);
  }
}

TEST(CpuAttention, ForwardHandlesLargeScoresAndNonContiguousInput) {
  torch::manual_seed(2);
  // Scores in the hundreds: the max subtraction must keep the softmax finite and exact.
  auto qkv = torch::randn({2, 90, 3 * 64}) * 6.0;
  auto y = causalAttentionCpu(qkv, 2);
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  // The exact result of these float32 inputs (float64 reference). Float32 rounds each score s to a
  // relative 6e-8 (a few times that after the D-term sum), exp() turns that absolute error of s into
  // the probabilities' relative error, so y is off by about 6e-8 · max|s| · max|v| times a small
  // factor: here 6e-8 · 162 · 26.6 ≈ 2.6e-4. Seen: 8.3e-5 to 9.0e-5 (LibTorch 1.13 and 2.15, with
  // ATEN_CPU_CAPABILITY default, avx2 and auto); four times the bound leaves room for other CPUs,
  // while a wrong max subtraction or a masked key taken in moves y by whole units. (An absolute 1e-4
  // against a float32 reference failed under ATEN_CPU_CAPABILITY=default on 2.15 at 1.15e-4.)
  auto expected = referenceAttention(qkv.to(torch::kDouble), 2);
  const auto parts = qkv.to(torch::kDouble).split(64, 2);
  double max_score = 0;
  for (int64_t h = 0; h < 2; ++h) {
    auto q = parts[0].narrow(2, h * 32, 32), k = parts[1].narrow(2, h * 32, 32);
    max_score = std::max(max_score, torch::matmul(q, k.transpose(1, 2)).abs().max().item<double>() / std::sqrt(32.0));
  }
  const double max_v = parts[2].abs().max().item<double>();
  const double tolerance = 4 * 6e-8 * max_score * max_v;
  EXPECT_LT((y.to(torch::kDouble) - expected).abs().max().item<double>(), tolerance)
      << "max |score| " << max_score << ", max |v| " << max_v;
  // A transposed (non-contiguous) input gives the same result as its contiguous copy.
  auto transposed = torch::randn({3 * 64, 70, 2}).permute({2, 1, 0});
  ASSERT_FALSE(transposed.is_contiguous());
  EXPECT_TRUE(torch::equal(causalAttentionCpu(transposed, 4), causalAttentionCpu(transposed.contiguous(), 4)));
}

TEST(CpuAttention, BackwardMatchesAutogradOfReference) {
  torch::manual_seed(3);
  for (const auto& c : kCases) {
    SCOPED_TRACE(describe(c));
    auto base = torch::randn({c.batch, c.steps, 3 * c.channels});
    auto grad_y = torch::randn({c.batch, c.steps, c.channels});
    auto qkv = base.clone().requires_grad_(true);
    causalAttentionCpu(qkv, c.heads).backward(grad_y);
    auto ref_qkv = base.clone().requires_grad_(true);
    referenceAttention(ref_qkv, c.heads).backward(grad_y);
    ASSERT_TRUE(qkv.grad().defined());
    EXPECT_LT((qkv.grad() - ref_qkv.grad()).abs().max().item<double>(), 1e-4);
  }
}

TEST(CpuAttention, DoubleForwardAndBackwardMatchReferenceTightly) {
  torch::manual_seed(4);
  for (const auto& c : kCases) {
    SCOPED_TRACE(describe(c));
    auto base = torch::randn({c.batch, c.steps, 3 * c.channels}, torch::kDouble);
    auto grad_y = torch::randn({c.batch, c.steps, c.channels}, torch::kDouble);
    auto qkv = base.clone().requires_grad_(true);
    auto y = causalAttentionCpu(qkv, c.heads);
    y.backward(grad_y);
    auto ref_qkv = base.clone().requires_grad_(true);
    auto ref_y = referenceAttention(ref_qkv, c.heads);
    ref_y.backward(grad_y);
    EXPECT_LT((y - ref_y).abs().max().item<double>(), 1e-12);
    EXPECT_LT((qkv.grad() - ref_qkv.grad()).abs().max().item<double>(), 1e-11);
  }
}

// gradcheck-style: d/dqkv of sum(y * g) against central differences for every input entry.
void expectGradientMatchesFiniteDifferences(const Case& c, uint64_t seed) {
  SCOPED_TRACE(describe(c));
  torch::manual_seed(seed);
  auto qkv = torch::randn({c.batch, c.steps, 3 * c.channels}, torch::kDouble).requires_grad_(true);
  auto weights = torch::randn({c.batch, c.steps, c.channels}, torch::kDouble);
  (causalAttentionCpu(qkv, c.heads) * weights).sum().backward();
  auto analytic = qkv.grad().contiguous().view({-1});

  torch::NoGradGuard no_grad;
  auto probe = qkv.detach().clone();
  auto flat = probe.view({-1});
  auto loss = [&] { return (causalAttentionCpu(probe, c.heads) * weights).sum().item<double>(); };
  const double eps = 1e-6;
  double worst = 0.0;
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const double original = flat[i].item<double>();
    flat[i] = original + eps;
    const double plus = loss();
    flat[i] = original - eps;
    const double minus = loss();
    flat[i] = original;
    const double numeric = (plus - minus) / (2 * eps);
    const double a = analytic[i].item<double>();
    worst = std::max(worst, std::abs(a - numeric) / std::max(1.0, std::abs(numeric)));
  }
  EXPECT_LT(worst, 1e-6);
}

TEST(CpuAttention, GradientMatchesFiniteDifferencesInDouble) {
  expectGradientMatchesFiniteDifferences({2, 6, 8, 2}, 5);
  // Across a block boundary (rows 64..66 see the second block's keys).
  expectGradientMatchesFiniteDifferences({1, 67, 2, 1}, 6);
}

TEST(CpuAttention, RejectsUnsupportedInputs) {
  EXPECT_FALSE(causalAttentionCpuSupports(torch::randn({2, 3, 12}).to(torch::kHalf)));
  EXPECT_FALSE(causalAttentionCpuSupports(torch::randn({3, 12})));
  EXPECT_TRUE(causalAttentionCpuSupports(torch::randn({2, 3, 12}, torch::kDouble)));
  EXPECT_THROW(causalAttentionCpu(torch::randn({2, 3, 12}), 5), c10::Error);
}

// Timing only (no assertion): forward + backward at the reference training shape against the eager
// compositions. Run with --gtest_also_run_disabled_tests; set the BLAS with LD_LIBRARY_PATH.
TEST(CpuAttention, DISABLED_BenchmarkAgainstEager) {
  const int64_t batch = 8, steps = 256, channels = 256, heads = 4;
  // 2 threads (the target machine's cores) unless TEMPER_BENCH_THREADS says otherwise.
  const char* env_threads = std::getenv("TEMPER_BENCH_THREADS");
  torch::set_num_threads(env_threads != nullptr ? std::atoi(env_threads) : 2);
  torch::manual_seed(7);
  auto base = torch::randn({batch, steps, 3 * channels});
  auto grad_y = torch::randn({batch, steps, channels});
  auto bias =
      torch::zeros({steps, steps})
          .masked_fill(torch::ones({steps, steps}, torch::kBool).triu(1), -std::numeric_limits<float>::infinity());
  auto time = [&](const char* name, auto&& fn) {
    std::vector<double> fwd_ms, total_ms;
    for (int rep = 0; rep < 23; ++rep) {
      auto qkv = base.clone().requires_grad_(true);
      auto t0 = std::chrono::steady_clock::now();
      auto y = fn(qkv);
      auto t1 = std::chrono::steady_clock::now();
      y.backward(grad_y);
      auto t2 = std::chrono::steady_clock::now();
      if (rep < 3) continue;  // warm-up
      fwd_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      total_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    };
    std::printf("%-34s forward %7.2f ms   forward+backward %7.2f ms   (median of %zu, %d threads)\n", name,
                median(fwd_ms), median(total_ms), total_ms.size(), torch::get_num_threads());
    return median(total_ms);
  };
  const double kernel =
      time("causalAttentionCpu", [&](const torch::Tensor& qkv) { return causalAttentionCpu(qkv, heads); });
  const double eager = time("eager model path (baddbmm)",
                            [&](const torch::Tensor& qkv) { return eagerModelAttention(qkv, heads, bias); });
  const double reference =
      time("reference (matmul/masked_fill)", [&](const torch::Tensor& qkv) { return referenceAttention(qkv, heads); });
  std::printf("speed-up vs eager model path %.2fx, vs reference composition %.2fx\n", eager / kernel,
              reference / kernel);
}

}  // namespace
}  // namespace temper
