// Autograd against central finite differences (fp64), attention against a textbook
// implementation, causality, and dropout only in training mode.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <cmath>
#include <limits>

#include "core/model/gpt.h"
#include "model_test_support.h"

namespace temper {
namespace {

using test::smallConfig;

/// A region of one parameter: rows [row_begin, row_end) of dimension 0 (all rows when row_end is 0).
struct Region {
  const char* name;
  int64_t row_begin = 0;
  int64_t row_end = 0;
};

TEST(GptGradient, LossGradientMatchesCentralFiniteDifferencesInDouble) {
  auto model = test::randomModel(smallConfig(), 11);
  model->to(torch::kDouble);
  auto ids = test::randomIds(2, 9, 50, 12);
  auto targets = test::randomIds(2, 9, 50, 13);
  targets[1][3] = -100;

  model->zero_grad();
  model->loss(ids, targets).backward();
  auto params = model->named_parameters();
  // Every kind of parameter, with q, k and v of the fused c_attn (Linear rows 0-31, 32-63, 64-95)
  // checked separately. In each region the entry with the largest gradient is perturbed, so the
  // relative error is not dominated by rounding in a near-zero difference.
  const std::vector<Region> regions{
      {"wte.weight"},
      {"wpe.weight"},
      {"h.0.ln_1.weight"},
      {"h.0.ln_1.bias"},
      {"h.0.attn.c_attn.weight", 0, 32},
      {"h.0.attn.c_attn.weight", 32, 64},
      {"h.0.attn.c_attn.weight", 64, 96},
      {"h.1.attn.c_attn.bias", 0, 32},
      {"h.1.attn.c_attn.bias", 64, 96},
      {"h.1.attn.c_proj.weight"},
      {"h.1.attn.c_proj.bias"},
      {"h.1.ln_2.weight"},
      {"h.1.mlp.c_fc.weight"},
      {"h.0.mlp.c_fc.bias"},
      {"h.0.mlp.c_proj.weight"},
      {"h.1.mlp.c_proj.bias"},
      {"ln_f.weight"},
      {"ln_f.bias"},
  };
  torch::NoGradGuard no_grad;
  const double eps = 1e-6;
  for (const auto& region : regions) {
    SCOPED_TRACE(std::string(region.name) + " rows from " + std::to_string(region.row_begin));
    torch::Tensor& p = params[region.name];
    const int64_t rows = region.row_end > 0 ? region.row_end - region.row_begin : p.size(0);
    auto grad_region = p.grad().narrow(0, region.row_begin, rows).contiguous().view({-1});
    const int64_t flat = grad_region.abs().argmax().item<int64_t>();
    const int64_t row_size = p.numel() / p.size(0);
    const int64_t offset = region.row_begin * row_size + flat;  // index into p viewed flat
    auto p_flat = p.view({-1});
    const double analytic = p.grad().view({-1})[offset].item<double>();
    const double original = p_flat[offset].item<double>();
    p_flat[offset] = original + eps;
    const double plus = model->loss(ids, targets).item<double>();
    p_flat[offset] = original - eps;
    const double minus = model->loss(ids, targets).item<double>();
    p_flat[offset] = original;
    const double numeric = (plus - minus) / (2 * eps);
    ASSERT_GT(std::abs(analytic), 1e-4);
    EXPECT_LT(std::abs(analytic - numeric) / std::max(std::abs(analytic), std::abs(numeric)), 1e-6)
        << "autograd " << analytic << " finite difference " << numeric;
  }
}

// softmax(q k^T / sqrt(d) + causal mask) v per head, written out without the model's code paths.
torch::Tensor textbookAttention(CausalSelfAttention& attn, const torch::Tensor& x, int64_t heads) {
  const int64_t batch = x.size(0), steps = x.size(1), dim = x.size(2), head_dim = dim / heads;
  auto qkv = torch::matmul(x, attn->c_attn->weight.t()) + attn->c_attn->bias;
  auto out = torch::zeros_like(x);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t hd = 0; hd < heads; ++hd) {
      auto q = qkv[b].narrow(1, hd * head_dim, head_dim);
      auto k = qkv[b].narrow(1, dim + hd * head_dim, head_dim);
      auto v = qkv[b].narrow(1, 2 * dim + hd * head_dim, head_dim);
      for (int64_t t = 0; t < steps; ++t) {
        auto scores = torch::mv(k.narrow(0, 0, t + 1), q[t]) / std::sqrt(static_cast<double>(head_dim));
        auto weights = torch::softmax(scores, 0);
        out[b][t].narrow(0, hd * head_dim, head_dim).copy_(torch::mv(v.narrow(0, 0, t + 1).t(), weights));
      }
    }
  }
  return torch::matmul(out, attn->c_proj->weight.t()) + attn->c_proj->bias;
}

TEST(GptAttention, MatchesTextbookCausalAttention) {
  auto model = test::randomModel(smallConfig(), 14);
  model->to(torch::kDouble);
  torch::NoGradGuard no_grad;
  torch::manual_seed(15);
  auto x = torch::randn({2, 10, 32}, torch::kDouble);
  auto attn = model->h->ptr(0)->as<BlockImpl>()->attn;
  auto expected = textbookAttention(attn, x, 4);
  EXPECT_TRUE(torch::allclose(attn->forward(x, nullptr, 0), expected, 1e-10, 1e-10));
}

TEST(GptCausality, ChangingTokenTChangesNoEarlierLogits) {
  auto model = test::randomModel(smallConfig(), 16);
  model->to(torch::kDouble);  // a semantic property: no kernel's summation order may blur it
  torch::NoGradGuard no_grad;
  auto ids = test::randomIds(2, 14, 50, 17);
  auto before = model->forward(ids);
  for (int64_t t : {0, 5, 13}) {
    auto changed = ids.clone();
    changed[0][t] = (ids[0][t].item<int64_t>() + 7) % 50;
    auto after = model->forward(changed);
    if (t > 0) {
      EXPECT_TRUE(test::sameComputation(after[0].narrow(0, 0, t), before[0].narrow(0, 0, t))) << "t=" << t;
    }
    EXPECT_GT((after[0][t] - before[0][t]).abs().max().item<double>(), 1e-3) << "token t must matter at t";
    if (t + 1 < 14) {
      EXPECT_GT((after[0][t + 1] - before[0][t + 1]).abs().max().item<double>(), 1e-3);
    }
    // The other sequence of the batch does not see the change at all.
    EXPECT_TRUE(test::sameComputation(after[1], before[1])) << "t=" << t;
  }
}

TEST(GptDropout, ActiveInTrainingOnlyAndEvalIsDeterministic) {
  GptConfig config = smallConfig();
  config.dropout = 0.3;
  auto model = test::randomModel(config, 18);
  auto ids = test::randomIds(1, 12, 50, 19);
  torch::NoGradGuard no_grad;
  model->eval();
  auto first = model->forward(ids);
  EXPECT_TRUE(torch::equal(first, model->forward(ids)));
  // Same weights, no dropout configured: eval mode must give the same logits.
  GptConfig plain_config = smallConfig();
  Gpt plain(plain_config);
  plain->eval();
  auto plain_params = plain->named_parameters();
  for (const auto& item : model->named_parameters()) plain_params[item.key()].copy_(item.value());
  EXPECT_TRUE(test::sameComputation(plain->forward(ids), first));
  model->train();
  EXPECT_FALSE(torch::allclose(first, model->forward(ids), 1e-3, 1e-3));
}

}  // namespace
}  // namespace temper
