// The fused Llama CPU kernels (float32) against the eager composition they replace, evaluated in
// float64 (the same functions take the eager path for float64): outputs and the gradients of every
// input.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include "core/model/llama_kernels.h"
#include "core/model/rope.h"

namespace temper {
namespace {

/// Runs `fn` on float32 copies (fused) and float64 copies (eager) of `inputs`, with a random
/// upstream gradient, and compares outputs and input gradients.
void compareFusedWithEager(const std::vector<torch::Tensor>& inputs, const std::vector<bool>& needs_grad,
                           const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& fn,
                           double tolerance) {
  auto prepare = [&](torch::ScalarType dtype) {
    std::vector<torch::Tensor> out;
    for (size_t i = 0; i < inputs.size(); ++i)
      out.push_back(inputs[i].to(dtype).detach().requires_grad_(needs_grad[i]));
    return out;
  };
  auto fused_in = prepare(torch::kFloat32);
  auto eager_in = prepare(torch::kFloat64);
  auto fused = fn(fused_in);
  auto eager = fn(eager_in);
  ASSERT_EQ(fused.sizes(), eager.sizes());
  ASSERT_TRUE(fused.grad_fn() != nullptr);
  EXPECT_NE(fused.grad_fn()->name().find("CppNode"), std::string::npos) << "float32 did not take the fused kernel";
  EXPECT_LT((fused.to(torch::kFloat64) - eager).abs().max().item<double>(), tolerance);
  torch::manual_seed(5);
  auto upstream = torch::randn(eager.sizes(), torch::kFloat64);
  fused.backward(upstream.to(torch::kFloat32));
  eager.backward(upstream);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!needs_grad[i]) continue;
    ASSERT_TRUE(fused_in[i].grad().defined()) << "input " << i;
    const double diff = (fused_in[i].grad().to(torch::kFloat64) - eager_in[i].grad()).abs().max().item<double>();
    EXPECT_LT(diff, tolerance * std::max(1.0, eager_in[i].grad().abs().max().item<double>()))
        << "gradient of input " << i;
  }
}

TEST(LlamaKernels, RmsNormMatchesEager) {
  torch::manual_seed(1);
  auto x = torch::randn({3, 5, 24}) * 3.0;
  auto w = 1.0 + torch::randn({24}) * 0.5;
  compareFusedWithEager(
      {x, w}, {true, true}, [](const auto& t) { return llama_kernels::rmsNorm(t[0], t[1], 1e-5); }, 1e-5);
  // Only the weight trains (a frozen input, as under a frozen backbone).
  compareFusedWithEager(
      {x, w}, {false, true}, [](const auto& t) { return llama_kernels::rmsNorm(t[0], t[1], 1e-2); }, 1e-5);
}

TEST(LlamaKernels, RopePackMatchesEagerForEveryGrouping) {
  const int64_t batch = 3, steps = 7, dim = 8, heads = 4;
  RopeScaling llama3;
  llama3.kind = RopeScaling::Kind::Llama3;
  llama3.factor = 4.0;
  llama3.original_max_positions = 16;
  RotaryTables tables(dim, 50.0, llama3);
  auto [cos, sin] = tables.get(2, steps, torch::kCPU, torch::kFloat64);  // positions 2..8, as after a prefix
  for (int64_t kv_heads : {4, 2, 1}) {
    torch::manual_seed(kv_heads);
    auto q = torch::randn({batch, steps, heads * dim});
    auto k = torch::randn({batch, steps, kv_heads * dim});
    auto v = torch::randn({batch, steps, kv_heads * dim});
    compareFusedWithEager(
        {q, k, v, cos, sin}, {true, true, true, false, false},
        [&](const auto& t) { return llama_kernels::ropePackQkv(t[0], t[1], t[2], t[3], t[4], heads, kv_heads); }, 1e-5);
  }
}

TEST(LlamaKernels, RopePackLayoutIsRotatedQThenRepeatedKThenRepeatedV) {
  // With cos = 1 and sin = 0 the rotation is the identity: the packed tensor must be q, then each
  // kv head twice (query heads 0,1 read kv head 0), then the same for v.
  auto q = torch::arange(2 * 4, torch::kFloat32).view({1, 1, 8}).requires_grad_(true);
  auto k = torch::tensor({10.f, 11.f, 12.f, 13.f}).view({1, 1, 4});
  auto v = torch::tensor({20.f, 21.f, 22.f, 23.f}).view({1, 1, 4});
  auto packed = llama_kernels::ropePackQkv(q, k, v, torch::ones({1, 2}), torch::zeros({1, 2}), 4, 2);
  auto expected = torch::tensor({0.f,  1.f,  2.f,  3.f,  4.f,  5.f,  6.f,  7.f,  10.f, 11.f, 10.f, 11.f,
                                 12.f, 13.f, 12.f, 13.f, 20.f, 21.f, 20.f, 21.f, 22.f, 23.f, 22.f, 23.f});
  EXPECT_TRUE(torch::equal(packed.view({-1}), expected)) << packed;
}

TEST(LlamaKernels, SwigluMatchesEagerOverAWideRange) {
  torch::manual_seed(2);
  auto gate = torch::randn({4, 33, 40}) * 6.0;
  auto up = torch::randn({4, 33, 40});
  compareFusedWithEager(
      {gate, up}, {true, true}, [](const auto& t) { return llama_kernels::swiglu(t[0], t[1]); }, 1e-5);
}

TEST(LlamaKernels, WithoutGradientsTheEagerPathRuns) {
  torch::NoGradGuard no_grad;
  auto x = torch::randn({2, 8});
  auto w = torch::ones({8});
  auto y = llama_kernels::rmsNorm(x, w, 1e-6);
  auto expected = x / torch::sqrt(x.pow(2).mean(-1, true) + 1e-6);
  EXPECT_TRUE(torch::allclose(y, expected, 1e-6, 1e-6));
}

}  // namespace
}  // namespace temper
