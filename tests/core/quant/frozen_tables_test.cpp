// QLoRA's frozen embedding and head in bf16: the row-chunked product equals torch::linear with the
// widened weight (float64 references, any chunking), keeps no widened copy for the backward pass,
// and a model whose tables are stored in bf16 gives the logits, loss gradients and generation of the
// same model with its tables rounded to bf16 and kept in fp32.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include "core/model/generation.h"
#include "core/quant/row_chunked_linear.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"

namespace temper {
namespace {

TEST(RowChunkedLinear, ForwardAndBackwardEqualLinearForEveryChunking) {
  torch::manual_seed(4);
  const torch::Tensor weight = torch::randn({37, 24}, torch::kFloat64);  // 37: no chunk size divides it evenly
  for (int64_t chunk : {1, 5, 16, 37, 64, 0}) {
    torch::Tensor x = torch::randn({2, 3, 24}, torch::kFloat64).requires_grad_(true);
    torch::Tensor x_ref = x.detach().clone().requires_grad_(true);
    const torch::Tensor y = frozenLinearInRowChunks(x, weight, chunk);
    const torch::Tensor y_ref = torch::linear(x_ref, weight);
    EXPECT_TRUE(torch::allclose(y, y_ref, 1e-12, 1e-12)) << "chunk " << chunk;
    ASSERT_TRUE(y.grad_fn());
    EXPECT_EQ(y.grad_fn()->name(), "RowChunkedLinearBackward");
    const torch::Tensor g = torch::randn_like(y_ref);
    y.backward(g);
    y_ref.backward(g);
    EXPECT_TRUE(torch::allclose(x.grad(), x_ref.grad(), 1e-12, 1e-12)) << "chunk " << chunk;
  }
}

TEST(RowChunkedLinear, ABf16WeightIsWidenedToTheInputsDtype) {
  torch::manual_seed(5);
  const torch::Tensor weight = torch::randn({40, 16}).to(torch::kBFloat16);
  const torch::Tensor x = torch::randn({3, 16});
  const torch::Tensor y = frozenLinearInRowChunks(x, weight, 7);
  EXPECT_EQ(y.scalar_type(), torch::kFloat32);
  EXPECT_FALSE(y.requires_grad());
  // float64 reference of the same (rounded) weight: only fp32 summation error remains.
  const torch::Tensor ref = torch::linear(x.to(torch::kFloat64), weight.to(torch::kFloat64));
  EXPECT_TRUE(torch::allclose(y.to(torch::kFloat64), ref, 1e-5, 1e-5));
  EXPECT_THROW(frozenLinearInRowChunks(x, torch::randn({4, 16}, torch::requires_grad())), c10::Error);
}

// The same model twice: one with its tables stored in bf16, one with them rounded to bf16 but kept
// in fp32. Everything they compute must agree to fp32 rounding.
void expectTablesInBf16ActAsRoundedFp32(CausalLm stored, CausalLm rounded) {
  {
    torch::NoGradGuard no_grad;
    for (auto& item : rounded->named_parameters()) {
      const std::string& name = item.key();
      if (name.find("wte") != std::string::npos || name.find("embed_tokens") != std::string::npos ||
          name.find("lm_head") != std::string::npos) {
        item.value().copy_(item.value().to(torch::kBFloat16).to(torch::kFloat32));
      }
    }
  }
  for (auto& p : stored->parameters()) p.set_requires_grad(false);
  const int64_t fp32_bytes = stored->embeddingWeight().numel() * 4;
  EXPECT_GE(stored->storeFrozenTables(torch::kBFloat16), fp32_bytes / 2);
  EXPECT_EQ(stored->embeddingWeight().scalar_type(), torch::kBFloat16);
  EXPECT_EQ(stored->headWeight().scalar_type(), torch::kBFloat16);
  EXPECT_EQ(stored->storeFrozenTables(torch::kBFloat16), 0) << "a second call changes nothing";

  const torch::Tensor ids = torch::randint(0, stored->vocabSize(), {2, 9}, torch::kLong);
  const torch::Tensor targets = torch::randint(0, stored->vocabSize(), {2, 9}, torch::kLong);
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor a = stored->forward(ids), b = rounded->forward(ids);
    EXPECT_EQ(a.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-5)) << (a - b).abs().max().item<double>();
  }
  // A trained input-side tensor (a soft prompt's stand-in) gets the same gradient through the
  // row-chunked head as through the plain one.
  torch::Tensor probe_a = torch::zeros({2, 9, stored->hiddenSize()}, torch::requires_grad());
  torch::Tensor probe_b = torch::zeros({2, 9, stored->hiddenSize()}, torch::requires_grad());
  auto lossOf = [&](CausalLm& model, const torch::Tensor& probe) {
    const torch::Tensor logits = model->headLogits(model->hiddenFromEmbeddings(model->embed(ids) + probe, nullptr));
    return torch::nn::functional::cross_entropy(logits.view({-1, logits.size(-1)}), targets.view({-1}));
  };
  lossOf(stored, probe_a).backward();
  lossOf(rounded, probe_b).backward();
  EXPECT_TRUE(torch::allclose(probe_a.grad(), probe_b.grad(), 1e-4, 1e-6))
      << (probe_a.grad() - probe_b.grad()).abs().max().item<double>();

  // Generation with a cache (whose dtype follows the activations, not the tables) picks the same tokens.
  SamplingOptions greedy;
  greedy.max_new_tokens = 6;
  greedy.temperature = 0;
  EXPECT_EQ(generate(*stored, {1, 2, 3}, greedy), generate(*rounded, {1, 2, 3}, greedy));
}

TEST(FrozenTables, GptTiedTablesInBf16ActAsRoundedFp32) {
  expectTablesInBf16ActAsRoundedFp32(test::randomModel(test::smallConfig(), 21).ptr(),
                                     test::randomModel(test::smallConfig(), 21).ptr());
}

TEST(FrozenTables, LlamaUntiedTablesInBf16ActAsRoundedFp32) {
  expectTablesInBf16ActAsRoundedFp32(test::randomLlama(test::smallLlamaConfig(), 22).ptr(),
                                     test::randomLlama(test::smallLlamaConfig(), 22).ptr());
}

TEST(FrozenTables, ATrainedTableStaysAsItIs) {
  CausalLm model = test::randomLlama(test::smallLlamaConfig(), 23).ptr();
  for (auto& p : model->parameters()) p.set_requires_grad(false);
  model->headWeight().set_requires_grad(true);  // a module to save
  model->storeFrozenTables(torch::kBFloat16);
  EXPECT_EQ(model->headWeight().scalar_type(), torch::kFloat32);
  EXPECT_EQ(model->embeddingWeight().scalar_type(), torch::kBFloat16);
}

}  // namespace
}  // namespace temper
