// An adapter's frozen base under bf16 autocast, stored in bf16 (storeFrozenBaseForAutocast): autocast
// casts every frozen projection and the untied head to bf16 on each forward pass anyway, so storing
// them cast must give the same loss and the same adapter gradients bit for bit, for every kind and
// both families; outside autocast the stored weights act as the fp32 weights rounded to bf16. DoRA's
// layers (which read the base weight at full precision) and weights that train are left as loaded.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <functional>
#include <memory>

#include "core/model/quantize_base.h"
#include "core/peft/bottleneck.h"
#include "core/peft/lora.h"
#include "core/peft/prompt_tuning.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"
#include "tests/support/cpu_autocast.h"

namespace temper {
namespace {

using MakeModel = std::function<CausalLm()>;
using MakeAdapter = std::function<std::shared_ptr<Adapter>(CausalLm)>;

MakeModel gptMaker() {
  return [] { return CausalLm(test::randomModel(test::smallConfig(), 31).ptr()); };
}
MakeModel llamaMaker() {  // untied head: stored in bf16 too
  return [] { return CausalLm(test::randomLlama(test::smallLlamaConfig(), 32).ptr()); };
}

MakeAdapter lora(const std::string& targets, bool dora = false) {
  return [=](CausalLm model) {
    LoraOptions options;
    options.r = 4;
    options.alpha = 8;
    options.targets = targets;
    options.dora = dora;
    return std::static_pointer_cast<Adapter>(std::make_shared<LoraAdapter>(model, options));
  };
}
MakeAdapter promptTuning() {
  return [](CausalLm model) {
    PromptTuningOptions options;
    options.tokens = 3;
    options.init = "random";
    return std::static_pointer_cast<Adapter>(std::make_shared<PromptTuningAdapter>(model, options));
  };
}
MakeAdapter bottleneck() {
  return [](CausalLm model) {
    BottleneckOptions options;
    options.reduction = 4;
    options.placement = "both";
    return std::static_pointer_cast<Adapter>(std::make_shared<BottleneckAdapter>(model, options));
  };
}

/// A model with its adapter, every adapter tensor set to small seeded values (LoRA's B and the
/// adapters' up-projections start at zero, which would leave the other tensors without gradients).
struct Adapted {
  CausalLm model;
  std::shared_ptr<Adapter> adapter;
};

Adapted adapted(const MakeModel& make_model, const MakeAdapter& make_adapter) {
  Adapted out{make_model(), nullptr};
  torch::manual_seed(7);
  out.adapter = make_adapter(out.model);
  out.adapter->setTraining(false);  // no dropout
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : out.adapter->tensors()) tensor.copy_(torch::randn_like(tensor) * 0.05);
  return out;
}

struct LossAndGrads {
  torch::Tensor loss;
  std::vector<torch::Tensor> grads;
};

LossAndGrads autocastStep(Adapted& a, const torch::Tensor& ids, const torch::Tensor& targets) {
  torch::Tensor loss;
  {
    test_support::CpuAutocast autocast;
    loss = a.model->loss(ids, targets);
  }
  loss.backward();
  LossAndGrads out{loss.detach(), {}};
  for (auto& [name, tensor] : a.adapter->tensors()) {
    EXPECT_TRUE(tensor.grad().defined()) << name;
    out.grads.push_back(tensor.grad().clone());
  }
  return out;
}

void expectSameStepInBf16Storage(const MakeModel& make_model, const MakeAdapter& make_adapter, bool untied_head) {
  Adapted as_loaded = adapted(make_model, make_adapter);
  Adapted stored = adapted(make_model, make_adapter);
  int64_t frozen_projection_values = 0;
  for (NamedLinear& linear : stored.model->adaptableLinears()) frozen_projection_values += linear.layer->weight.numel();
  const int64_t head_values = untied_head ? stored.model->headWeight().numel() : 0;
  EXPECT_EQ(storeFrozenBaseForAutocast(*stored.model), 2 * (frozen_projection_values + head_values));
  for (NamedLinear& linear : stored.model->adaptableLinears()) {
    EXPECT_EQ(linear.layer->weight.scalar_type(), torch::kBFloat16) << linear.name;
  }
  EXPECT_EQ(stored.model->embeddingWeight().scalar_type(), torch::kFloat32) << "a lookup is not an autocast product";
  EXPECT_EQ(stored.model->headWeight().scalar_type(), untied_head ? torch::kBFloat16 : torch::kFloat32);
  for (auto& [name, tensor] : stored.adapter->tensors()) EXPECT_EQ(tensor.scalar_type(), torch::kFloat32) << name;
  EXPECT_EQ(storeFrozenBaseForAutocast(*stored.model), 0) << "a second call changes nothing";

  const int64_t vocab = stored.model->vocabSize();
  const torch::Tensor ids = torch::randint(0, vocab, {2, 7}, torch::kLong);
  torch::Tensor targets = torch::randint(0, vocab, {2, 7}, torch::kLong);
  targets[0][0] = -100;  // an ignored position, as SFT's prompts are
  const LossAndGrads want = autocastStep(as_loaded, ids, targets);
  const LossAndGrads got = autocastStep(stored, ids, targets);
  EXPECT_TRUE(torch::equal(got.loss, want.loss)) << got.loss.item<double>() << " vs " << want.loss.item<double>();
  ASSERT_EQ(got.grads.size(), want.grads.size());
  for (size_t i = 0; i < got.grads.size(); ++i) {
    EXPECT_TRUE(torch::equal(got.grads[i], want.grads[i]))
        << "tensor " << i << ": " << (got.grads[i] - want.grads[i]).abs().max().item<double>();
  }

  // Outside autocast (an fp32 product after training), the weights are widened: the logits of the
  // as-loaded model with the same weights rounded to bf16.
  {
    torch::NoGradGuard no_grad;
    for (NamedLinear& linear : as_loaded.model->adaptableLinears()) {
      linear.layer->weight.copy_(linear.layer->weight.to(torch::kBFloat16).to(torch::kFloat32));
    }
    if (untied_head) {
      torch::Tensor head = as_loaded.model->headWeight();
      head.copy_(head.to(torch::kBFloat16).to(torch::kFloat32));
    }
    const torch::Tensor a = stored.model->forward(ids), b = as_loaded.model->forward(ids);
    EXPECT_EQ(a.scalar_type(), torch::kFloat32);
    // Same fp32 weights and inputs; only the widening path's summation order may differ.
    EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-5)) << (a - b).abs().max().item<double>();
  }
}

TEST(FrozenBaseForAutocast, GptLoraStepIsBitIdentical) {
  expectSameStepInBf16Storage(gptMaker(), lora("all-linear"), /*untied_head=*/false);
}
TEST(FrozenBaseForAutocast, LlamaLoraStepIsBitIdentical) {
  expectSameStepInBf16Storage(llamaMaker(), lora("all-linear"), /*untied_head=*/true);
}
TEST(FrozenBaseForAutocast, GptPromptTuningStepIsBitIdentical) {
  expectSameStepInBf16Storage(gptMaker(), promptTuning(), false);
}
TEST(FrozenBaseForAutocast, LlamaPromptTuningStepIsBitIdentical) {
  expectSameStepInBf16Storage(llamaMaker(), promptTuning(), true);
}
TEST(FrozenBaseForAutocast, LlamaBottleneckAdaptersStepIsBitIdentical) {
  expectSameStepInBf16Storage(llamaMaker(), bottleneck(), true);
}

TEST(FrozenBaseForAutocast, DoraLayersAndTrainedWeightsStayAsLoaded) {
  Adapted dora = adapted(llamaMaker(), lora("q_proj,v_proj", /*dora=*/true));
  dora.model->headWeight().set_requires_grad(true);  // a module to save
  storeFrozenBaseForAutocast(*dora.model);
  for (NamedLinear& linear : dora.model->adaptableLinears()) {
    const bool adapted_layer = linear.name.ends_with("q_proj") || linear.name.ends_with("v_proj");
    EXPECT_EQ(linear.layer->weight.scalar_type(), adapted_layer ? torch::kFloat32 : torch::kBFloat16) << linear.name;
  }
  EXPECT_EQ(dora.model->headWeight().scalar_type(), torch::kFloat32);
}

}  // namespace
}  // namespace temper
