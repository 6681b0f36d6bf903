// Bottleneck adapters on GPT-2 and a grouped-query Llama: step 0 is the base bit for bit, each
// placement computes out + s · up(act(down(x))) as a float64 formula does, only the adapters
// learn, detaching restores the base, and `adapter-layers`/`adapter-reduction` are read and refused
// as documented. tests/peers/peft_check.py checks whole models against transformers.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include "core/common/error.h"
#include "core/peft/bottleneck.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"

namespace temper {
namespace {

struct Case {
  const char* family;
  CausalLm (*make)(uint64_t);
  const char* placement;
};
class BottleneckOnFamily : public ::testing::TestWithParam<Case> {};

BottleneckOptions optionsFor(const Case& c) {
  BottleneckOptions options;
  options.placement = c.placement;
  options.reduction = 4;
  options.scaling = options.parallel() ? 4.0 : 1.0;
  return options;
}

TEST_P(BottleneckOnFamily, StepZeroIsTheBaseBitForBitAndDetachRestoresIt) {
  CausalLm model = GetParam().make(1);
  const torch::Tensor ids = test::randomIds(2, 7, model->vocabSize(), 2);
  torch::NoGradGuard no_grad;
  const torch::Tensor base = model->forward(ids);
  BottleneckAdapter adapter(model, optionsFor(GetParam()));
  EXPECT_TRUE(torch::equal(model->forward(ids), base)) << "the up-projections start at zero";
  // Any up-projection moved: the adapters now change the output; detached, the base is back.
  for (auto& [name, tensor] : adapter.tensors()) tensor.normal_(0.0, 0.5);
  EXPECT_FALSE(torch::allclose(model->forward(ids), base));
  adapter.detach();
  EXPECT_TRUE(torch::equal(model->forward(ids), base));
  adapter.attach();
  EXPECT_FALSE(torch::allclose(model->forward(ids), base));
}

TEST_P(BottleneckOnFamily, OnlyTheAdaptersLearnAndTheLossFalls) {
  CausalLm model = GetParam().make(4);
  std::map<std::string, torch::Tensor> base;
  for (const auto& item : model->named_parameters()) base[item.key()] = item.value().detach().clone();
  BottleneckAdapter adapter(model, optionsFor(GetParam()));
  std::vector<torch::Tensor> trained;
  for (auto& [name, tensor] : adapter.tensors()) trained.push_back(tensor);
  model->train();
  const torch::Tensor ids = test::randomIds(4, 8, model->vocabSize(), 5);
  torch::optim::Adam optimizer(trained, torch::optim::AdamOptions(0.01));
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    optimizer.zero_grad();
    torch::Tensor loss = model->loss(ids, ids);
    loss.backward();
    optimizer.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, first - 0.05) << GetParam().family << " " << GetParam().placement;
  for (const auto& item : model->named_parameters()) {
    EXPECT_FALSE(item.value().grad().defined()) << item.key();
    EXPECT_TRUE(torch::equal(item.value(), base.at(item.key()))) << item.key();
  }
  for (auto& [name, tensor] : adapter.tensors()) {
    EXPECT_GT(tensor.grad().abs().sum().item<double>(), 0.0) << name << " gets a gradient";
  }
}

TEST_P(BottleneckOnFamily, NamesOneTensorSetPerAdapterInBlockOrder) {
  CausalLm model = GetParam().make(2);
  BottleneckOptions options = optionsFor(GetParam());
  BottleneckAdapter adapter(model, options);
  const auto tensors = adapter.tensors();
  const int64_t per_block = options.perBlock();
  ASSERT_EQ(static_cast<int64_t>(tensors.size()), 4 * per_block * model->layerCount());
  int64_t values = 0;
  for (const auto& [name, tensor] : tensors) values += tensor.numel();
  EXPECT_EQ(values, bottleneckTrainableParameters(model->hiddenSize(), model->layerCount(), options));
  const std::string first_position =
      options.afterAttention() ? "after_attention" : (options.parallel() ? "parallel" : "after_ffn");
  EXPECT_EQ(tensors.front().first, "adapters.0." + first_position + ".down.weight");
  EXPECT_EQ(tensors.front().second.sizes(), (std::vector<int64_t>{model->hiddenSize() / 4, model->hiddenSize()}));
  EXPECT_EQ(tensors[2].first, "adapters.0." + first_position + ".up.weight");
}

INSTANTIATE_TEST_SUITE_P(
    Placements, BottleneckOnFamily,
    ::testing::Values(Case{"gpt2", test::decodingGptLm, "after-attention"},
                      Case{"gpt2", test::decodingGptLm, "after-ffn"}, Case{"gpt2", test::decodingGptLm, "both"},
                      Case{"gpt2", test::decodingGptLm, "parallel"}, Case{"llama", test::randomLlamaLm, "after-ffn"},
                      Case{"llama", test::randomLlamaLm, "both"}, Case{"llama", test::randomLlamaLm, "parallel"}),
    [](const auto& instance) {
      std::string name = std::string(instance.param.family) + "_" + instance.param.placement;
      for (char& c : name) c = c == '-' ? '_' : c;
      return name;
    });

// The hook's arithmetic against the formula in float64, for each activation and placement.
TEST(BottleneckBlocks, ComputeOutPlusScaledUpOfActOfDown) {
  torch::manual_seed(7);
  const int64_t hidden = 12, width = 3;
  BottleneckLayer layer;
  layer.down_weight = torch::randn({width, hidden});
  layer.down_bias = torch::randn({width});
  layer.up_weight = torch::randn({hidden, width});
  layer.up_bias = torch::randn({hidden});
  const torch::Tensor mlp_in = torch::randn({2, 5, hidden}), out = torch::randn({2, 5, hidden});
  auto reference = [&](const torch::Tensor& x, const std::string& act, double scaling) {
    const auto d = [](const torch::Tensor& t) { return t.to(torch::kFloat64); };
    torch::Tensor h = torch::matmul(d(x), d(layer.down_weight).t()) + d(layer.down_bias);
    if (act == "relu") h = h.clamp_min(0);
    if (act == "gelu") h = 0.5 * h * (1 + torch::erf(h / std::sqrt(2.0)));
    if (act == "silu") h = h / (1 + torch::exp(-h));
    return d(out) + scaling * (torch::matmul(h, d(layer.up_weight).t()) + d(layer.up_bias));
  };
  for (const char* act : {"relu", "gelu", "silu"}) {
    for (const char* placement : {"after-attention", "after-ffn", "parallel"}) {
      BottleneckOptions options;
      options.placement = placement;
      options.act = act;
      options.scaling = options.parallel() ? 4.0 : 1.0;
      BottleneckBlocks blocks(options);
      (options.afterAttention() ? blocks.attention : blocks.ffn)[1] = layer;
      const torch::Tensor got =
          options.afterAttention() ? blocks.afterAttention(1, out) : blocks.afterMlp(1, mlp_in, out);
      const torch::Tensor want = reference(options.parallel() ? mlp_in : out, act, options.scaling);
      // fp32 sums of 12 and 3 products of unit-sized values: ~1e-6 absolute error at most.
      EXPECT_TRUE(torch::allclose(got.to(torch::kFloat64), want, 1e-5, 1e-5)) << act << " " << placement;
      // Blocks without an adapter pass through untouched.
      EXPECT_TRUE(torch::equal(blocks.afterAttention(0, out), out));
      EXPECT_TRUE(torch::equal(blocks.afterMlp(0, mlp_in, out), out));
    }
  }
}

TEST(BottleneckOptions, LayersReductionAndRefusals) {
  EXPECT_EQ(adapterLayers("all", 3), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(adapterLayers("0-2, 5,1", 6), (std::vector<int64_t>{0, 1, 2, 5}));
  EXPECT_EQ(adapterLayers("4", 6), (std::vector<int64_t>{4}));
  for (const char* bad : {"6", "2-1", "a", "1-", "-3", "1,,2"}) {
    try {
      adapterLayers(bad, 6);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("`adapter-layers`"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(bottleneckWidth(768, 16), 48);
  EXPECT_THROW(bottleneckWidth(32, 64), Error);
  EXPECT_THROW(bottleneckWidth(32, 0), Error);
  BottleneckOptions options;
  options.placement = "both";
  options.reduction = 16;
  options.layers = "0-5";
  // GPT-2 124M shape, 6 blocks × 2 adapters × (768·48 + 48 + 48·768 + 768).
  EXPECT_EQ(bottleneckTrainableParameters(768, 12, options), 6 * 2 * (768 * 48 + 48 + 48 * 768 + 768));

  CausalLm model = test::decodingGptLm(3);
  options.placement = "inside";
  EXPECT_THROW(BottleneckAdapter(model, options), Error);
  options.placement = "after-ffn";
  options.act = "tanh";
  EXPECT_THROW(BottleneckAdapter(model, options), Error);
}

}  // namespace
}  // namespace temper
