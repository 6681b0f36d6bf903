// The dequantise-per-use linear: forward and backward equal torch::linear with the dequantised
// weight (float64), the backward dequantises again instead of keeping a copy, and a quantised
// AdaptableLinear serves LoRA and DoRA like a plain one holding the dequantised weight.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include "core/common/error.h"
#include "core/model/adaptable_linear.h"
#include "core/peft/lora.h"
#include "core/quant/quantized_linear.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"

namespace temper {
namespace {

std::shared_ptr<const QuantizedWeight> randomQuantized(int64_t rows, int64_t cols, QuantKind kind, uint64_t seed) {
  torch::manual_seed(seed);
  return std::make_shared<const QuantizedWeight>(
      QuantizedWeight::quantize(torch::randn({rows, cols}), {kind, kind == QuantKind::Nf4}));
}

// Chunks of rows: 0 (the whole 48-row layer at once), 1, 5 (the last chunk short) and 7; with 96
// columns a 64-value block straddles two rows, so a chunk's first and last blocks are shared.
TEST(QuantizedLinear, ForwardAndBackwardEqualLinearWithTheDequantisedWeightInFloat64) {
  for (QuantKind kind : {QuantKind::Int8, QuantKind::Nf4}) {
    for (bool bias_trains : {false, true}) {
      for (int64_t chunk_rows : {0, 1, 5, 7}) {
        const auto q = randomQuantized(48, 96, kind, 1);
        const torch::Tensor w = q->dequantize(torch::kFloat64);
        torch::Tensor x = torch::randn({3, 5, 96}, torch::kFloat64).requires_grad_(true);
        torch::Tensor bias = torch::randn({48}, torch::kFloat64).requires_grad_(bias_trains);
        torch::Tensor x_ref = x.detach().clone().requires_grad_(true);
        torch::Tensor bias_ref = bias.detach().clone().requires_grad_(bias_trains);
        const torch::Tensor y = quantizedLinear(x, q, bias, chunk_rows);
        const torch::Tensor y_ref = torch::linear(x_ref, w, bias_ref);
        EXPECT_EQ(y.sizes(), y_ref.sizes());
        EXPECT_TRUE(torch::allclose(y, y_ref, 1e-12, 1e-12)) << quantKindName(kind) << " chunk " << chunk_rows;
        const torch::Tensor g = torch::randn_like(y_ref);
        y.backward(g);
        y_ref.backward(g);
        EXPECT_TRUE(torch::allclose(x.grad(), x_ref.grad(), 1e-12, 1e-12))
            << quantKindName(kind) << " chunk " << chunk_rows;
        if (bias_trains) {
          EXPECT_TRUE(torch::allclose(bias.grad(), bias_ref.grad(), 1e-12, 1e-12));
        } else {
          EXPECT_FALSE(bias.grad().defined());
        }
      }
    }
  }
}

TEST(QuantizedLinear, AWideLayerIsDequantisedInChunksForwardAndBackward) {
  // 1,024 × 8,192 values: two chunks of kRowChunkValues (4 Mi) values each way.
  const auto q = randomQuantized(1024, 8192, QuantKind::Nf4, 5);
  torch::Tensor x = torch::randn({2, 8192}, torch::requires_grad());
  const int64_t before = quantDequantizeCount();
  const torch::Tensor y = quantizedLinear(x, q, torch::Tensor());
  EXPECT_EQ(quantDequantizeCount(), before + 2);
  const torch::Tensor g = torch::randn_like(y);
  y.backward(g);
  EXPECT_EQ(quantDequantizeCount(), before + 4);
  // Against the whole dequantised weight in float64. y sums 8,192 products of unit-scale values:
  // |y| reaches ~350, and fp32 accumulation of 8,192 terms of partial sums that size errs up to
  // ~350 · 2^-24 · √8192 ≈ 2e-3 (3.0e-4 seen with LibTorch 2.x's sgemm, less with OpenBLAS's); a
  // chunk in the wrong place would be off by the values themselves.
  const torch::Tensor w = q->dequantize(torch::kFloat64);
  EXPECT_TRUE(torch::allclose(y.to(torch::kFloat64), torch::linear(x.detach().to(torch::kFloat64), w), 1e-5, 2e-3));
  EXPECT_TRUE(torch::allclose(x.grad().to(torch::kFloat64), g.to(torch::kFloat64).matmul(w), 1e-5, 2e-3));
}

TEST(QuantizedLinear, TheBackwardDequantisesAgainAndKeepsNoCopy) {
  const auto q = randomQuantized(32, 64, QuantKind::Nf4, 2);
  torch::Tensor x = torch::randn({4, 64}, torch::requires_grad());
  const int64_t before = quantDequantizeCount();
  const torch::Tensor y = quantizedLinear(x, q, torch::Tensor());
  EXPECT_EQ(quantDequantizeCount(), before + 1);
  // Our node, which holds the quantised weight and saves no tensor.
  ASSERT_TRUE(y.grad_fn());
  EXPECT_EQ(y.grad_fn()->name(), "QuantizedLinearBackward");
  y.sum().backward();
  EXPECT_EQ(quantDequantizeCount(), before + 2);
  EXPECT_TRUE(torch::allclose(x.grad(), q->dequantize().sum(0).expand({4, 64}), 1e-5, 1e-5));
}

TEST(QuantizedLinear, AnInputThatNeedsNoGradientBuildsNoNode) {
  const auto q = randomQuantized(32, 64, QuantKind::Int8, 3);
  const torch::Tensor y = quantizedLinear(torch::randn({2, 64}), q, torch::randn({32}));
  EXPECT_FALSE(y.requires_grad());
  EXPECT_FALSE(y.grad_fn());
  // One row (the decode path's gemv) gives linear's values.
  const torch::Tensor row = torch::randn({1, 1, 64});
  EXPECT_TRUE(
      torch::allclose(quantizedLinear(row, q, torch::Tensor()), torch::linear(row, q->dequantize()), 1e-5, 1e-6));
}

TEST(AdaptableLinearQuantised, ReleasesTheWeightAndKeepsItsSizesAndForward) {
  torch::manual_seed(4);
  AdaptableLinear layer = makeAdaptableLinear(70, 37, true);
  const torch::Tensor plain = layer->weight.detach().clone();
  layer->quantize({QuantKind::Nf4, true});
  EXPECT_TRUE(layer->quantized());
  EXPECT_EQ(layer->weight.numel(), 0);
  EXPECT_EQ(layer->weight.storage().nbytes(), 0U);
  EXPECT_FALSE(layer->weight.requires_grad());
  bool listed = false;
  for (const auto& item : layer->named_parameters()) {
    if (item.key() == "weight") {
      listed = true;
      EXPECT_EQ(item.value().numel(), 0);  // the registered parameter is the same, emptied
    }
  }
  EXPECT_TRUE(listed);
  EXPECT_EQ(layer->inFeatures(), 70);
  EXPECT_EQ(layer->outFeatures(), 37);
  const NamedLinear named = namedLinear("x", LinearRole::Query, 0, false, layer);
  EXPECT_EQ(named.in, 70);
  EXPECT_EQ(named.out, 37);
  const torch::Tensor deq = layer->baseWeight();
  EXPECT_EQ(deq.sizes(), plain.sizes());
  EXPECT_LT((deq - plain).abs().max().item<float>(), 0.2F * plain.abs().max().item<float>());
  const torch::Tensor x = torch::randn({2, 3, 70});
  EXPECT_TRUE(torch::equal(applyLinear(layer, x), torch::linear(x, deq, layer->bias)));
  // A state for the old shape no longer fits: loading it fails rather than going unseen.
  torch::NoGradGuard no_grad;
  EXPECT_ANY_THROW(layer->weight.copy_(plain));
}

/// A quantised small Llama, and a plain one holding the same (dequantised) weights.
std::pair<CausalLm, CausalLm> quantisedAndEquivalent(QuantKind kind) {
  CausalLm quantised = test::randomLlama(test::smallLlamaConfig(), 21).ptr();
  CausalLm plain = test::randomLlama(test::smallLlamaConfig(), 21).ptr();
  auto q_linears = quantised->adaptableLinears();
  auto p_linears = plain->adaptableLinears();
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < q_linears.size(); ++i) {
    q_linears[i].layer->quantize({kind, true});
    p_linears[i].layer->weight.copy_(q_linears[i].layer->baseWeight());
  }
  return {quantised, plain};
}

TEST(LoraOnQuantisedBase, MatchesLoraOnTheDequantisedWeights) {
  for (QuantKind kind : {QuantKind::Int8, QuantKind::Nf4}) {
    for (bool dora : {false, true}) {
      for (bool checkpointing : {false, true}) {
        SCOPED_TRACE(std::string(quantKindName(kind)) + (dora ? " dora" : " lora") + (checkpointing ? " ckpt" : ""));
        auto [quantised, plain] = quantisedAndEquivalent(kind);
        const torch::Tensor ids = test::randomIds(2, 12, quantised->vocabSize(), 7);
        torch::Tensor untouched;
        {
          torch::NoGradGuard no_grad;
          untouched = quantised->forward(ids);
        }
        LoraOptions options;
        options.r = 4;
        options.targets = "all-linear";
        options.dora = dora;
        torch::manual_seed(5);
        LoraAdapter on_quantised(quantised, options);
        torch::manual_seed(5);
        LoraAdapter on_plain(plain, options);
        {
          torch::NoGradGuard no_grad;  // an untrained adapter leaves the quantised model's logits
          EXPECT_TRUE(torch::equal(quantised->forward(ids), untouched));
        }
        for (LoraAdapter* adapter : {&on_quantised, &on_plain}) {
          torch::manual_seed(6);
          torch::NoGradGuard no_grad;
          for (auto& [name, t] : adapter->tensors()) {
            if (name.ends_with("lora_B.weight")) t.copy_(torch::randn_like(t) * 0.2);
          }
        }
        quantised->setGradientCheckpointing(checkpointing);
        plain->setGradientCheckpointing(checkpointing);
        const torch::Tensor yq = quantised->forward(ids), yp = plain->forward(ids);
        EXPECT_TRUE(torch::allclose(yq, yp, 1e-5, 1e-5));
        yq.pow(2).mean().backward();
        yp.pow(2).mean().backward();
        const auto tq = on_quantised.tensors(), tp = on_plain.tensors();
        ASSERT_EQ(tq.size(), tp.size());
        for (size_t i = 0; i < tq.size(); ++i) {
          ASSERT_TRUE(tq[i].second.grad().defined()) << tq[i].first;
          EXPECT_TRUE(torch::allclose(tq[i].second.grad(), tp[i].second.grad(), 1e-4, 1e-6)) << tq[i].first;
        }
      }
    }
  }
}

TEST(LoraOnQuantisedBase, MergeIsRefusedWithAReason) {
  auto [quantised, plain] = quantisedAndEquivalent(QuantKind::Nf4);
  LoraOptions options;
  options.r = 2;
  LoraAdapter adapter(quantised, options);
  try {
    adapter.mergeIntoBase();
    FAIL() << "merged into a quantised base";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidConfig);
    EXPECT_NE(std::string(e.what()).find("quantised base"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(adapter.attached());  // nothing changed
}

}  // namespace
}  // namespace temper
