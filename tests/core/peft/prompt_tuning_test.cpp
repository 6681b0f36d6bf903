// Prompt tuning on GPT-2 and a grouped-query Llama: the soft prompt is what the model sees first
// (the same as prepending its rows to the embeddings by hand), the KV cache and generation account
// for it, gradients reach the prompt and nothing else, and training it moves the loss.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include "core/model/generation.h"
#include "core/peft/prompt_tuning.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"

namespace temper {
namespace {

class PromptTuningOnFamily : public ::testing::TestWithParam<test::ModelFamily> {};

TEST_P(PromptTuningOnFamily, TheSoftPromptComesFirstAndIsCutFromTheOutput) {
  CausalLm model = GetParam().make(1);
  PromptTuningOptions options;
  options.tokens = 3;
  PromptTuningAdapter adapter(model, options);
  const torch::Tensor prompt = adapter.tensors().front().second;
  const torch::Tensor ids = test::randomIds(2, 6, model->vocabSize(), 2);
  torch::NoGradGuard no_grad;
  const torch::Tensor got = model->hidden(ids);
  ASSERT_EQ(got.sizes(), (std::vector<int64_t>{2, 6, model->hiddenSize()}));
  const torch::Tensor by_hand =
      model->hiddenFromEmbeddings(torch::cat({prompt.unsqueeze(0).expand({2, 3, -1}), model->embed(ids)}, 1), nullptr)
          .narrow(1, 3, 6);
  EXPECT_TRUE(torch::equal(got, by_hand));
  EXPECT_EQ(model->tokenContext(), model->contextLength() - 3);
  adapter.detach();
  EXPECT_EQ(model->virtualTokens(), 0);
  EXPECT_FALSE(torch::allclose(model->hidden(ids), got)) << "the prompt changes what the model computes";
}

TEST_P(PromptTuningOnFamily, CachedGenerationEqualsRecomputing) {
  CausalLm model = GetParam().make(3);
  PromptTuningOptions options;
  options.tokens = 4;
  options.init = "random";
  PromptTuningAdapter adapter(model, options);
  SamplingOptions sampling;
  sampling.temperature = 0;
  sampling.max_new_tokens = model->tokenContext();  // runs past the context: the window slides
  const std::vector<int64_t> prompt = {1, 2, 3};
  const auto cached = generate(*model, prompt, sampling);
  sampling.use_cache = false;
  EXPECT_EQ(generate(*model, prompt, sampling), cached);
}

TEST_P(PromptTuningOnFamily, OnlyThePromptLearnsAndTheLossFalls) {
  CausalLm model = GetParam().make(4);
  std::map<std::string, torch::Tensor> base;
  for (const auto& item : model->named_parameters()) base[item.key()] = item.value().detach().clone();
  PromptTuningOptions options;
  options.tokens = 4;
  PromptTuningAdapter adapter(model, options);
  torch::Tensor prompt = adapter.tensors().front().second;
  ASSERT_TRUE(prompt.requires_grad());
  model->train();
  const torch::Tensor ids = test::randomIds(4, 8, model->vocabSize(), 5);
  torch::optim::Adam optimizer({prompt}, torch::optim::AdamOptions(0.05));
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    optimizer.zero_grad();
    torch::Tensor loss = model->loss(ids, ids);
    loss.backward();
    ASSERT_TRUE(prompt.grad().defined());
    EXPECT_GT(prompt.grad().abs().sum().item<double>(), 0.0);
    optimizer.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, first - 0.05) << GetParam().name;
  for (const auto& item : model->named_parameters()) {
    EXPECT_FALSE(item.value().grad().defined()) << item.key();
    EXPECT_TRUE(torch::equal(item.value(), base.at(item.key()))) << item.key();
  }
}

INSTANTIATE_TEST_SUITE_P(Families, PromptTuningOnFamily,
                         ::testing::Values(test::ModelFamily{"gpt2", test::decodingGptLm},
                                           test::ModelFamily{"llama", test::randomLlamaLm}),
                         [](const auto& instance) { return std::string(instance.param.name); });

TEST(PromptTuningInit, TextRepeatsOrCutsTheTokensAndVocabTakesEmbeddingRows) {
  CausalLm model = test::decodingGptLm(6);
  PromptTuningOptions options;
  options.tokens = 5;
  options.init = "text";
  PromptTuningAdapter adapter(model, options, {7, 9});
  torch::NoGradGuard no_grad;
  const torch::Tensor want = model->embed(torch::tensor({7, 9, 7, 9, 7}, torch::kLong));
  EXPECT_TRUE(torch::equal(adapter.tensors().front().second, want));
  options.init = "vocab";
  PromptTuningAdapter sampled(model, options);
  const torch::Tensor rows = sampled.tensors().front().second;
  const torch::Tensor table = model->embed(torch::arange(model->vocabSize(), torch::kLong));
  for (int64_t i = 0; i < rows.size(0); ++i) {
    EXPECT_TRUE(table.eq(rows[i]).all(1).any().item<bool>()) << "row " << i << " is no vocabulary embedding";
  }
  options.tokens = model->contextLength();
  EXPECT_THROW(PromptTuningAdapter(model, options), Error);
  options.tokens = 2;
  options.init = "text";
  EXPECT_THROW(PromptTuningAdapter(model, options, {}), Error);
}

}  // namespace
}  // namespace temper
