// Prefix tuning on GPT-2 and a grouped-query Llama: the prefixes act exactly as keys and values
// already in a KV cache (the form PEFT hands them to transformers in), laid out as PEFT's
// get_prompt reads them; generation with the cache equals recomputing; only the prefix (or its
// projection MLP) learns, also under gradient checkpointing; a projection run saves its output
// as PEFT does and resumes from its own tensors.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include "core/common/error.h"
#include "core/model/generation.h"
#include "core/peft/adapter_folder.h"
#include "core/peft/prefix_tuning.h"
#include "core/tensor_io/torch_safetensors.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"

namespace temper {
namespace {

class PrefixTuningOnFamily : public ::testing::TestWithParam<test::ModelFamily> {};

PrefixTuningOptions prefixOf(int64_t tokens, bool projection = false) {
  PrefixTuningOptions options;
  options.tokens = tokens;
  options.projection = projection;
  options.projection_hidden = projection ? 12 : 0;
  return options;
}

TEST_P(PrefixTuningOnFamily, ThePrefixActsAsKeysAndValuesAlreadyInTheCache) {
  CausalLm model = GetParam().make(1);
  PrefixTuningAdapter adapter(model, prefixOf(3));
  const torch::Tensor ids = test::randomIds(2, 6, model->vocabSize(), 2);
  torch::NoGradGuard no_grad;
  const torch::Tensor with_prefix = model->forward(ids);  // no cache: the layers attend to the prefix
  EXPECT_EQ(model->virtualTokens(), 3);
  EXPECT_EQ(model->tokenContext(), model->contextLength() - 3);
  std::shared_ptr<PrefixEncoder> encoder = std::make_shared<PrefixEncoder>(
      model->layerCount(), model->keyValueHeads(), model->headDim(), prefixOf(3), model->device());
  encoder->embedding.copy_(adapter.tensors().front().second);
  const torch::Tensor kv = encoder->keysValues();
  adapter.detach();
  EXPECT_EQ(model->virtualTokens(), 0);
  // The same keys and values written into a cache by hand, the model without any adapter.
  KvCache cache = model->makeCache(2, 16);
  for (int64_t layer = 0; layer < model->layerCount(); ++layer) {
    cache.append(layer, kv[layer][0].unsqueeze(0).expand({2, -1, -1, -1}),
                 kv[layer][1].unsqueeze(0).expand({2, -1, -1, -1}));
  }
  cache.advance(3);
  const torch::Tensor by_cache = model->forward(ids, &cache);
  EXPECT_TRUE(torch::allclose(with_prefix, by_cache, 1e-5, 1e-5)) << (with_prefix - by_cache).abs().max();
  EXPECT_FALSE(torch::allclose(model->forward(ids), with_prefix, 1e-3, 1e-3)) << "the prefix changes the outputs";
}

TEST_P(PrefixTuningOnFamily, CachedGenerationEqualsRecomputing) {
  CausalLm model = GetParam().make(3);
  PrefixTuningAdapter adapter(model, prefixOf(4, true));
  SamplingOptions sampling;
  sampling.temperature = 0;
  sampling.max_new_tokens = model->tokenContext();  // runs past the context: the window slides
  const std::vector<int64_t> prompt = {1, 2, 3};
  const auto cached = generate(*model, prompt, sampling);
  sampling.use_cache = false;
  EXPECT_EQ(generate(*model, prompt, sampling), cached);
}

TEST_P(PrefixTuningOnFamily, OnlyThePrefixLearnsAlsoUnderCheckpointing) {
  for (bool projection : {false, true}) {
    CausalLm model = GetParam().make(4);
    std::map<std::string, torch::Tensor> base;
    for (const auto& item : model->named_parameters()) base[item.key()] = item.value().detach().clone();
    torch::manual_seed(9);
    PrefixTuningAdapter adapter(model, prefixOf(4, projection));
    std::vector<torch::Tensor> trained;
    for (auto& [name, t] : adapter.tensors()) trained.push_back(t);
    model->train();
    const torch::Tensor ids = test::randomIds(4, 8, model->vocabSize(), 5);
    // One backward pass with and one without checkpointing give the same gradients.
    std::vector<torch::Tensor> plain;
    for (bool checkpointing : {false, true}) {
      model->setGradientCheckpointing(checkpointing);
      for (auto& t : trained) t.mutable_grad() = torch::Tensor();
      model->loss(ids, ids).backward();
      for (size_t i = 0; i < trained.size(); ++i) {
        ASSERT_TRUE(trained[i].grad().defined()) << i;
        if (!checkpointing) plain.push_back(trained[i].grad().clone());
        if (checkpointing) {
          EXPECT_TRUE(torch::allclose(trained[i].grad(), plain[i], 1e-5, 1e-6)) << GetParam().name << " tensor " << i;
        }
      }
    }
    model->setGradientCheckpointing(false);
    torch::optim::Adam optimizer(trained, torch::optim::AdamOptions(0.01));
    double first = 0, last = 0;
    for (int step = 0; step < 30; ++step) {
      optimizer.zero_grad();
      torch::Tensor loss = model->loss(ids, ids);
      loss.backward();
      optimizer.step();
      (step == 0 ? first : last) = loss.item<double>();
    }
    EXPECT_LT(last, first - 0.05) << GetParam().name << " projection " << projection;
    for (const auto& item : model->named_parameters()) {
      EXPECT_FALSE(item.value().grad().defined()) << item.key();
      EXPECT_TRUE(torch::equal(item.value(), base.at(item.key()))) << item.key();
    }
  }
}

TEST_P(PrefixTuningOnFamily, AProjectionRunSavesItsOutputAsPeftAndResumesFromItsOwnTensors) {
  test::TempDir dir("prefix-folder");
  CausalLm model = GetParam().make(5);
  torch::manual_seed(11);
  PrefixTuningAdapter adapter(model, prefixOf(3, true));
  const torch::Tensor ids = test::randomIds(2, 5, model->vocabSize(), 6);
  torch::Tensor want;
  {
    torch::NoGradGuard no_grad;
    want = model->forward(ids);
  }
  writeAdapterFolder(adapter, dir.path(), "/some/base", "CAUSAL_LM", Json{{"format_version", 1}});
  const Json config = readJsonFile(dir.path() / kAdapterConfigFile);
  EXPECT_EQ(config.at("peft_type"), "PREFIX_TUNING");
  EXPECT_EQ(config.at("num_virtual_tokens"), 3);
  EXPECT_EQ(config.at("num_layers"), model->layerCount());
  EXPECT_EQ(config.at("num_attention_heads"), model->keyValueHeads());
  EXPECT_EQ(config.at("token_dim"), model->keyValueHeads() * model->headDim());
  EXPECT_EQ(config.at("encoder_hidden_size"), 12);
  EXPECT_EQ(config.at("prefix_projection"), true);
  const auto saved = loadAllTensors(dir.path() / kAdapterWeightsFile);
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved.at("prompt_embeddings").sizes(),
            (std::vector<int64_t>{3, model->layerCount() * 2 * model->keyValueHeads() * model->headDim()}));
  EXPECT_EQ(loadAllTensors(dir.path() / kAdapterTrainingFile).size(), 5u);
  adapter.detach();

  // PEFT's reading (and `temper eval --adapter`): the projected table, no MLP, the same outputs.
  auto loaded = loadAdapter(inspectAdapterFolder(dir.path()), model);
  {
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::allclose(model->forward(ids), want, 1e-6, 1e-6));
  }
  loaded->detach();
  // Resume: a fresh projection adapter takes the trained tensors back bit for bit.
  torch::manual_seed(12);
  PrefixTuningAdapter resumed(model, prefixOf(3, true));
  loadAdapterTensors(resumed, dir.path());
  for (size_t i = 0; i < resumed.tensors().size(); ++i) {
    EXPECT_TRUE(torch::equal(resumed.tensors()[i].second, adapter.tensors()[i].second)) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Families, PrefixTuningOnFamily,
                         ::testing::Values(test::ModelFamily{"gpt2", test::randomGptLm},
                                           test::ModelFamily{"llama", test::randomLlamaLm}),
                         [](const auto& instance) { return std::string(instance.param.name); });

TEST(PrefixTuningLayout, RowsPairUpAsPeftGetPromptReadsThem) {
  // PEFT: view(N, layers * 2, heads, head_dim).permute(2, 0, 3, 1, 4), split in pairs of rows.
  PrefixEncoder encoder(3, 2, 4, prefixOf(5), torch::Device(torch::kCPU));
  const torch::Tensor flat = encoder.flat().detach();
  const torch::Tensor kv = encoder.keysValues().detach();
  ASSERT_EQ(kv.sizes(), (std::vector<int64_t>{3, 2, 2, 5, 4}));
  for (int64_t layer = 0; layer < 3; ++layer) {
    for (int64_t which = 0; which < 2; ++which) {
      for (int64_t head = 0; head < 2; ++head) {
        for (int64_t n = 0; n < 5; ++n) {
          const int64_t start = ((layer * 2 + which) * 2 + head) * 4;
          EXPECT_TRUE(torch::equal(kv[layer][which][head][n], flat[n].narrow(0, start, 4)));
        }
      }
    }
  }
}

TEST(PrefixTuningRefusals, NamesTheKeyAndTheBase) {
  CausalLm model = test::randomGptLm(7);
  EXPECT_THROW(PrefixTuningAdapter(model, prefixOf(0)), Error);
  EXPECT_THROW(PrefixTuningAdapter(model, prefixOf(model->contextLength())), Error);
  test::TempDir dir("prefix-other-base");
  {
    PrefixTuningAdapter adapter(model, prefixOf(2));
    writeAdapterFolder(adapter, dir.path(), "/base", "CAUSAL_LM", Json());
  }
  Json config = readJsonFile(dir.path() / kAdapterConfigFile);
  config["num_layers"] = 5;
  writeJsonFileAtomic(dir.path() / kAdapterConfigFile, config);
  try {
    loadAdapter(inspectAdapterFolder(dir.path()), model);
    FAIL() << "a prefix for 5 layers loaded into 2";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("`num_layers` is 5 but the model's layer count is 2"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(kAdapterConfigFile), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace temper
