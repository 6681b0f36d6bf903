// LoRA and DoRA on GPT-2 and a grouped-query Llama: an untrained adapter leaves the logits bit for
// bit, a step moves only the adapter, merged weights give the unmerged outputs, and the outputs
// equal the formulas computed here in float64 from the adapter's tensors.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <cmath>

#include "core/peft/lora.h"
#include "core/peft/peft_shape.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"

namespace temper {
namespace {

torch::Tensor ids(const CausalLm& model) { return test::randomIds(2, 12, model->vocabSize(), 7); }

std::map<std::string, torch::Tensor> snapshot(CausalLm& model) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : model->named_parameters()) out[item.key()] = item.value().detach().clone();
  return out;
}

// Gives every B (and DoRA magnitude) values far from their init, as training would.
void perturb(LoraAdapter& adapter, uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  for (auto& [name, t] : adapter.tensors()) {
    if (name.ends_with("lora_B.weight")) t.copy_(torch::randn_like(t) * 0.2);
    if (name.ends_with("lora_magnitude_vector")) t.mul_(1.0 + torch::rand_like(t) * 0.5);
  }
}

class LoraOnFamily : public ::testing::TestWithParam<test::ModelFamily> {};

TEST_P(LoraOnFamily, AnUntrainedAdapterLeavesTheLogitsBitForBit) {
  for (const bool dora : {false, true}) {
    CausalLm model = GetParam().make(11);
    const torch::Tensor x = ids(model);
    torch::NoGradGuard no_grad;
    const torch::Tensor before = model->forward(x);
    LoraOptions options;
    options.r = 4;
    options.targets = "all-linear";
    options.dora = dora;
    options.dropout = 0.1;  // eval mode: no dropout
    LoraAdapter adapter(model, options);
    EXPECT_TRUE(torch::equal(model->forward(x), before)) << GetParam().name << (dora ? " dora" : " lora");
  }
}

TEST_P(LoraOnFamily, OneStepChangesTheAdapterAndNoBaseTensor) {
  CausalLm model = GetParam().make(12);
  const auto base = snapshot(model);
  LoraOptions options;
  options.r = 4;
  options.targets = "attention";
  LoraAdapter adapter(model, options);
  adapter.setTraining(true);
  model->train();
  std::map<std::string, torch::Tensor> adapter_before;
  for (auto& [name, t] : adapter.tensors()) adapter_before[name] = t.detach().clone();
  const torch::Tensor x = ids(model);
  auto loss = model->loss(x, x);
  loss.backward();
  {
    torch::NoGradGuard no_grad;
    for (auto& [name, t] : adapter.tensors()) {
      ASSERT_TRUE(t.grad().defined()) << name;
      t.sub_(t.grad() * 0.1);
    }
  }
  for (const auto& item : model->named_parameters()) {
    EXPECT_FALSE(item.value().requires_grad()) << item.key();
    EXPECT_FALSE(item.value().grad().defined()) << item.key() << " got a gradient";
    EXPECT_TRUE(torch::equal(item.value(), base.at(item.key()))) << item.key() << " changed";
  }
  // Both A and B move (B from zero; A because B is no longer zero after... its gradient is zero at
  // step 0, as PEFT's init makes it, so only B moves on the first step).
  int moved_b = 0, moved_a = 0;
  for (auto& [name, t] : adapter.tensors()) {
    const bool moved = !torch::equal(t, adapter_before.at(name));
    if (name.ends_with("lora_B.weight")) moved_b += moved;
    if (name.ends_with("lora_A.weight")) moved_a += moved;
  }
  EXPECT_EQ(moved_b, static_cast<int>(adapter.targetNames().size()));
  EXPECT_EQ(moved_a, 0) << "A's gradient is B^T(...) = 0 while B is zero";
}

TEST_P(LoraOnFamily, MergedWeightsGiveTheAdaptedOutputs) {
  for (const bool dora : {false, true}) {
    CausalLm model = GetParam().make(13);
    const torch::Tensor x = ids(model);
    LoraOptions options;
    options.r = 3;
    options.alpha = 5;
    options.targets = "all-linear";
    options.dora = dora;
    LoraAdapter adapter(model, options);
    perturb(adapter, 5);
    torch::NoGradGuard no_grad;
    const torch::Tensor adapted = model->forward(x);
    adapter.mergeIntoBase();
    EXPECT_FALSE(adapter.attached());
    const torch::Tensor merged = model->forward(x);
    // Logits are O(1-10); fp32 sums of 32-48 terms differ by ~1e-6 relative between the two orders.
    const double scale = adapted.abs().max().item<double>();
    EXPECT_LE((merged - adapted).abs().max().item<double>(), 1e-5 * scale) << (dora ? "dora" : "lora");
  }
}

TEST_P(LoraOnFamily, DetachRestoresTheBaseAndAttachTheAdapter) {
  CausalLm model = GetParam().make(14);
  const torch::Tensor x = ids(model);
  torch::NoGradGuard no_grad;
  const torch::Tensor base = model->forward(x);
  LoraOptions options;
  options.r = 2;
  options.bias = "all";
  LoraAdapter adapter(model, options);
  perturb(adapter, 6);
  const torch::Tensor adapted = model->forward(x);
  EXPECT_FALSE(torch::allclose(adapted, base));
  adapter.detach();
  EXPECT_TRUE(torch::equal(model->forward(x), base));
  adapter.attach();
  EXPECT_TRUE(torch::equal(model->forward(x), adapted));
}

TEST_P(LoraOnFamily, ShapeCountEqualsTheModelsTensors) {
  CausalLm model = GetParam().make(15);
  ModelShape shape =
      GetParam().name == std::string("gpt2") ? modelShape(test::smallConfig()) : modelShape(test::smallLlamaConfig());
  const auto from_shape = projectionsOf(shape);
  const auto live = model->adaptableLinears();
  ASSERT_EQ(from_shape.size(), live.size());
  for (size_t i = 0; i < live.size(); ++i) {
    EXPECT_EQ(from_shape[i].name, live[i].name);
    EXPECT_EQ(from_shape[i].role, live[i].role);
    EXPECT_EQ(from_shape[i].in, live[i].in) << live[i].name;
    EXPECT_EQ(from_shape[i].out, live[i].out) << live[i].name;
    EXPECT_EQ(from_shape[i].bias, live[i].bias) << live[i].name;
  }
  for (const char* targets : {"attention-qv", "attention", "all-linear"}) {
    for (const bool dora : {false, true}) {
      LoraOptions options;
      options.r = 3;
      options.targets = targets;
      options.dora = dora;
      options.bias = "lora-only";
      CausalLm fresh = GetParam().make(16);
      LoraAdapter adapter(fresh, options);
      int64_t count = 0;
      for (auto& [name, t] : adapter.tensors()) count += t.numel();
      EXPECT_EQ(loraTrainableParameters(shape, options), count) << targets << (dora ? " dora" : "");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Families, LoraOnFamily,
                         ::testing::Values(test::ModelFamily{"gpt2", test::randomGptLm},
                                           test::ModelFamily{"llama", test::randomLlamaLm}),
                         [](const auto& instance) { return std::string(instance.param.name); });

// The layer's output against y = W x + b + s B A x in float64, s = alpha / r or alpha / sqrt(r),
// and DoRA's m / ||W + s B A||_row (W x + s B A x) + b.
TEST(LoraFormula, PlainRsAndDoraMatchFloat64) {
  for (const bool rslora : {false, true}) {
    for (const bool dora : {false, true}) {
      CausalLm model = test::randomLlamaLm(21);
      LoraOptions options;
      options.r = 4;
      options.alpha = 6;
      options.rslora = rslora;
      options.dora = dora;
      options.targets = "q_proj";
      LoraAdapter adapter(model, options);
      perturb(adapter, 9);
      auto linears = model->adaptableLinears();
      const NamedLinear& q = linears.front();
      ASSERT_EQ(q.name, "model.layers.0.self_attn.q_proj");
      torch::manual_seed(3);
      const torch::Tensor x = torch::randn({5, q.in});
      torch::NoGradGuard no_grad;
      const torch::Tensor got = applyLinear(q.layer, x).to(torch::kFloat64);

      auto tensors = adapter.tensors();
      auto find = [&](const std::string& suffix) {
        for (auto& [name, t] : tensors) {
          if (name == "base_model.model.model.layers.0.self_attn.q_proj." + suffix) return t.to(torch::kFloat64);
        }
        ADD_FAILURE() << suffix;
        return torch::Tensor();
      };
      const torch::Tensor a = find("lora_A.weight"), b = find("lora_B.weight");
      const torch::Tensor w = q.layer->weight.to(torch::kFloat64), x64 = x.to(torch::kFloat64);
      const double s = rslora ? 6.0 / 2.0 : 6.0 / 4.0;
      const torch::Tensor delta = s * torch::mm(b, a);
      torch::Tensor want = torch::mm(x64, (w + delta).t());
      if (dora) {
        const torch::Tensor m = find("lora_magnitude_vector");
        want = want * (m / (w + delta).norm(2, {1})).unsqueeze(0);
      }
      EXPECT_TRUE(torch::allclose(got, want, 1e-5, 1e-5))
          << "rslora " << rslora << " dora " << dora << " max diff " << (got - want).abs().max().item<double>();
    }
  }
}

TEST(LoraOptions, RefusesRankBelowOneAndUnknownModulesToSave) {
  CausalLm model = test::randomGptLm(30);
  LoraOptions options;
  options.r = 0;
  EXPECT_THROW(LoraAdapter(model, options), Error);
  options.r = 2;
  options.modules_to_save = {"no_such_module"};
  try {
    LoraAdapter adapter(model, options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_module"), std::string::npos) << e.what();
  }
}

TEST(LoraOptions, ModulesToSaveTrainInPlaceUnderTheirOwnNames) {
  CausalLm model = test::randomLlamaLm(31);
  LoraOptions options;
  options.r = 2;
  options.modules_to_save = {"lm_head"};
  LoraAdapter adapter(model, options);
  bool saw = false;
  for (auto& [name, t] : adapter.tensors()) {
    if (name == "base_model.model.lm_head.weight") {
      saw = true;
      EXPECT_TRUE(t.requires_grad());
    }
  }
  EXPECT_TRUE(saw);
}

}  // namespace
}  // namespace temper
