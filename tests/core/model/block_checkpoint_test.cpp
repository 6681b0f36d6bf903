// Gradient checkpointing against the plain graph on GPT-2 (with dropout, so the recomputation must
// replay the forward's random draws) and a grouped-query Llama: the same loss, the same gradient
// for every parameter and for the input embeddings, and the random state afterwards the same as
// without checkpointing (later draws do not shift). Under bf16 autocast the recomputation runs in
// bf16 too.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <map>

#include "core/model/block_checkpoint.h"
#include "core/torch_compat/torch_compat.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"

namespace temper {
namespace {

struct Pass {
  double loss = 0;
  std::map<std::string, torch::Tensor> grads;
  double next_draw = 0;  ///< the first random number after the step
};

Pass trainingPass(CausalLmImpl& model, const torch::Tensor& ids, bool checkpointing, uint64_t seed) {
  model.zero_grad();
  model.train();
  model.setGradientCheckpointing(checkpointing);
  torch::manual_seed(seed);
  torch::Tensor loss = model.loss(ids, ids);
  loss.backward();
  Pass pass;
  pass.loss = loss.item<double>();
  for (const auto& item : model.named_parameters()) {
    if (item.value().grad().defined()) pass.grads[item.key()] = item.value().grad().clone();
  }
  pass.next_draw = torch::rand({1}).item<double>();
  model.setGradientCheckpointing(false);
  return pass;
}

void expectSamePass(const Pass& plain, const Pass& checkpointed) {
  EXPECT_EQ(checkpointed.loss, plain.loss);
  ASSERT_EQ(checkpointed.grads.size(), plain.grads.size());
  for (const auto& [name, grad] : plain.grads) {
    // The recomputation runs the same kernels on the same inputs: bit-identical on one machine.
    EXPECT_TRUE(torch::equal(checkpointed.grads.at(name), grad))
        << name << ": max |diff| " << (checkpointed.grads.at(name) - grad).abs().max().item<double>();
  }
  EXPECT_EQ(checkpointed.next_draw, plain.next_draw) << "the replayed dropout draws must not shift later ones";
}

TEST(BlockCheckpoint, Gpt2WithDropoutGivesThePlainGradients) {
  GptConfig config = test::smallConfig();
  config.dropout = 0.2;
  Gpt model = test::randomModel(config, 1);
  const torch::Tensor ids = test::randomIds(3, 12, config.vocab_size, 2);
  const Pass plain = trainingPass(*model, ids, false, 9);
  const Pass checkpointed = trainingPass(*model, ids, true, 9);
  expectSamePass(plain, checkpointed);
  EXPECT_NE(trainingPass(*model, ids, false, 10).loss, plain.loss) << "dropout is on: another seed, another loss";
}

TEST(BlockCheckpoint, LlamaGivesThePlainGradients) {
  Llama model = test::randomLlama(test::smallLlamaConfig(), 3);
  const torch::Tensor ids = test::randomIds(2, 20, model->vocabSize(), 4);
  expectSamePass(trainingPass(*model, ids, false, 5), trainingPass(*model, ids, true, 5));
}

TEST(BlockCheckpoint, FrozenBlocksStillPassTheGradientToTheInput) {
  // As under a soft prompt: only the input embeddings learn, every block weight is frozen.
  Llama model = test::randomLlama(test::smallLlamaConfig(), 6);
  for (auto& p : model->parameters()) p.set_requires_grad(false);
  const torch::Tensor ids = test::randomIds(2, 10, model->vocabSize(), 7);
  auto inputGrad = [&](bool checkpointing) {
    model->setGradientCheckpointing(checkpointing);
    torch::Tensor embeddings = model->embed(ids).detach().requires_grad_(true);
    model->hiddenFromEmbeddings(embeddings, nullptr).pow(2).mean().backward();
    return embeddings.grad();
  };
  const torch::Tensor plain = inputGrad(false);
  ASSERT_TRUE(plain.defined());
  EXPECT_TRUE(torch::equal(inputGrad(true), plain));
}

TEST(BlockCheckpoint, RecomputesUnderTheForwardsAutocast) {
  Gpt model = test::randomModel(test::smallConfig(), 8);
  const torch::Tensor ids = test::randomIds(2, 12, model->vocabSize(), 9);
  auto bf16Pass = [&](bool checkpointing) {
    compat::setAutocastDtype(at::kCPU, at::kBFloat16);
    compat::setAutocastEnabled(at::kCPU, true);
    model->zero_grad();
    model->setGradientCheckpointing(checkpointing);
    torch::Tensor loss = model->loss(ids, ids);
    compat::setAutocastEnabled(at::kCPU, false);  // the backward runs outside, as the trainer's does
    loss.backward();
    return model->h[0]->as<BlockImpl>()->attn->c_attn->weight.grad().clone();
  };
  const torch::Tensor plain = bf16Pass(false), checkpointed = bf16Pass(true);
  EXPECT_TRUE(torch::equal(checkpointed, plain)) << "max |diff| " << (checkpointed - plain).abs().max().item<double>();
}

TEST(BlockCheckpoint, CachedAndNoGradPassesAreNotCheckpointed) {
  Gpt model = test::randomModel(test::smallConfig(), 10);
  model->setGradientCheckpointing(true);
  const torch::Tensor ids = test::randomIds(1, 6, model->vocabSize(), 11);
  KvCache cache = model->makeCache(1);
  const torch::Tensor cached = model->forward(ids, &cache);
  EXPECT_EQ(cached.grad_fn()->name().find("BlockCheckpoint"), std::string::npos);
  torch::NoGradGuard no_grad;
  EXPECT_FALSE(model->forward(ids).requires_grad());
}

}  // namespace
}  // namespace temper
