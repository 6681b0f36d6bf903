// FlatAdamW against LibTorch's own torch::optim::AdamW and torch::nn::utils::clip_grad_norm_ on an
// identical model, plus the flat-buffer plumbing (autograd writes into it) and state round trips.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include "core/train/flat_adamw.h"
#include "train_test_support.h"

namespace temper {
namespace {

struct SmallNetImpl : torch::nn::Module {
  SmallNetImpl()
      : emb(register_module("emb", torch::nn::Embedding(11, 8))),
        fc1(register_module("fc1", torch::nn::Linear(8, 16))),
        ln(register_module("ln", torch::nn::LayerNorm(torch::nn::LayerNormOptions({16})))),
        fc2(register_module("fc2", torch::nn::Linear(16, 5))) {}
  torch::Tensor forward(const torch::Tensor& ids) { return fc2(ln(torch::gelu(fc1(emb(ids))))); }
  torch::nn::Embedding emb;
  torch::nn::Linear fc1;
  torch::nn::LayerNorm ln;
  torch::nn::Linear fc2;
};
TORCH_MODULE(SmallNet);

SmallNet makeNet(uint64_t seed) {
  torch::manual_seed(seed);
  SmallNet net;
  // LayerNorm starts at 1/0; perturb it so decay/no-decay mistakes would show.
  torch::NoGradGuard no_grad;
  net->ln->weight.add_(torch::randn_like(net->ln->weight) * 0.1);
  net->ln->bias.add_(torch::randn_like(net->ln->bias) * 0.1);
  return net;
}

std::vector<std::pair<std::string, torch::Tensor>> named(SmallNet& net) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : net->named_parameters()) out.emplace_back(item.key(), item.value());
  return out;
}

/// Gradients for step `step`, one per parameter, the same for every caller.
std::vector<torch::Tensor> randomGrads(SmallNet& net, int64_t step) {
  auto generator = at::detail::createCPUGenerator(static_cast<uint64_t>(1000 + step));
  std::vector<torch::Tensor> grads;
  for (const auto& p : net->parameters()) grads.push_back(torch::randn(p.sizes(), generator, torch::kFloat32));
  return grads;
}

/// Writes `grads` into the flat model's gradients (views into FlatAdamW's buffer).
void setFlatGrads(SmallNet& net, const std::vector<torch::Tensor>& grads) {
  torch::NoGradGuard no_grad;
  auto params = net->parameters();
  for (size_t i = 0; i < params.size(); ++i) params[i].mutable_grad().copy_(grads[i]);
}

/// Gives a plain (non-flat) model fresh gradient tensors.
void setPlainGrads(SmallNet& net, const std::vector<torch::Tensor>& grads) {
  auto params = net->parameters();
  for (size_t i = 0; i < params.size(); ++i) params[i].mutable_grad() = grads[i].clone();
}

double maxAbsDiff(SmallNet& a, SmallNet& b) {
  auto pa = a->parameters(), pb = b->parameters();
  double worst = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    worst = std::max(worst, (pa[i] - pb[i]).abs().max().item<double>());
  }
  return worst;
}

constexpr double kWeightDecay = 0.3;

std::unique_ptr<torch::optim::AdamW> torchAdamW(SmallNet& net, double beta1, double beta2) {
  std::vector<torch::Tensor> decayed, undecayed;
  for (const auto& p : net->parameters()) (p.dim() >= 2 ? decayed : undecayed).push_back(p);
  auto options = [&](double wd) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(1e-3).betas({beta1, beta2}).eps(1e-8).weight_decay(wd));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decayed, options(kWeightDecay));
  groups.emplace_back(undecayed, options(0.0));
  return std::make_unique<torch::optim::AdamW>(groups);
}

void setTorchLr(torch::optim::AdamW& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

double lrAt(int64_t step) { return 0.02 * (1.0 + 0.5 * std::sin(static_cast<double>(step))); }

TEST(FlatAdamWTest, MatchesTorchAdamWWithDecayOnlyOnMatrices) {
  SmallNet flat = makeNet(7), plain = makeNet(7);
  ASSERT_EQ(maxAbsDiff(flat, plain), 0.0);
  auto initial = test::snapshot(named(flat));

  FlatAdamW optimizer(named(flat), AdamWOptions{0.85, 0.97, 1e-8, kWeightDecay});
  auto reference = torchAdamW(plain, 0.85, 0.97);
  int64_t expected_count = 0;
  for (const auto& p : plain->parameters()) expected_count += p.numel();
  EXPECT_EQ(optimizer.parameterCount(), expected_count);

  for (int64_t step = 0; step < 20; ++step) {
    auto grads = randomGrads(plain, step);
    setFlatGrads(flat, grads);
    setPlainGrads(plain, grads);
    optimizer.step(lrAt(step));
    setTorchLr(*reference, lrAt(step));
    reference->step();
  }
  EXPECT_EQ(optimizer.stepCount(), 20);
  EXPECT_LT(maxAbsDiff(flat, plain), 1e-6);

  // Not vacuous: every parameter moved by far more than the tolerance.
  auto params = named(flat);
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_GT((params[i].second - initial[i]).abs().max().item<double>(), 1e-2) << params[i].first;
  }
}

// LoRA+: parameters with a learning-rate scale follow torch's AdamW with lr × scale, the others
// the schedule's lr; the usual pair keeps its state names (group0, group1) and the scaled pair
// comes after.
TEST(FlatAdamWTest, ScaledParametersFollowAdamWAtTheirMultiple) {
  SmallNet flat = makeNet(8), plain = makeNet(8);
  const auto scale = [](const std::string& name) { return name.starts_with("fc2.") ? 16.0 : 1.0; };
  FlatAdamW optimizer(named(flat), AdamWOptions{0.9, 0.99, 1e-8, kWeightDecay}, scale);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  for (const double s : {1.0, 16.0}) {
    std::vector<torch::Tensor> decayed, undecayed;
    for (const auto& item : plain->named_parameters()) {
      if (scale(item.key()) == s) (item.value().dim() >= 2 ? decayed : undecayed).push_back(item.value());
    }
    for (const auto& [members, wd] : {std::pair{decayed, kWeightDecay}, std::pair{undecayed, 0.0}}) {
      groups.emplace_back(members, std::make_unique<torch::optim::AdamWOptions>(
                                       torch::optim::AdamWOptions(1e-3).betas({0.9, 0.99}).eps(1e-8).weight_decay(wd)));
    }
  }
  torch::optim::AdamW reference(groups);
  for (int64_t step = 0; step < 10; ++step) {
    auto grads = randomGrads(plain, step);
    setFlatGrads(flat, grads);
    setPlainGrads(plain, grads);
    optimizer.step(lrAt(step));
    for (size_t g = 0; g < reference.param_groups().size(); ++g) {
      static_cast<torch::optim::AdamWOptions&>(reference.param_groups()[g].options()).lr(lrAt(step) * (g < 2 ? 1 : 16));
    }
    reference.step();
  }
  EXPECT_LT(maxAbsDiff(flat, plain), 1e-5);
  std::vector<std::string> names;
  for (const auto& [name, t] : optimizer.stateTensors()) names.push_back(name);
  EXPECT_EQ(names.size(), 8u);
  EXPECT_EQ(names.front(), "group0.exp_avg");
}

TEST(FlatAdamWTest, WeightDecayWithZeroGradientShrinksOnlyMatrices) {
  SmallNet net = makeNet(3);
  auto before = test::snapshot(named(net));
  FlatAdamW optimizer(named(net), AdamWOptions{0.9, 0.95, 1e-8, 0.5});
  optimizer.zeroGrad();
  optimizer.step(0.1);  // zero gradients: Adam's update is 0/(0+eps) = 0, only decay acts
  auto after = named(net);
  for (size_t i = 0; i < after.size(); ++i) {
    double factor = after[i].second.dim() >= 2 ? 1.0 - 0.1 * 0.5 : 1.0;
    EXPECT_TRUE(torch::allclose(after[i].second, before[i] * factor, 1e-6, 1e-7)) << after[i].first;
  }
}

TEST(FlatAdamWTest, ClipGradNormMatchesTorch) {
  for (double max_norm : {0.5, 1e6}) {
    SmallNet flat = makeNet(5), plain = makeNet(5);
    FlatAdamW optimizer(named(flat), AdamWOptions{});
    auto grads = randomGrads(plain, 0);
    setFlatGrads(flat, grads);
    setPlainGrads(plain, grads);
    double norm = optimizer.clipGradNorm(max_norm);
    double expected = torch::nn::utils::clip_grad_norm_(plain->parameters(), max_norm);
    EXPECT_NEAR(norm, expected, 1e-5 * expected) << "max_norm " << max_norm;
    auto pf = flat->parameters(), pp = plain->parameters();
    double clipped_sq = 0;
    for (size_t i = 0; i < pf.size(); ++i) {
      EXPECT_LT((pf[i].grad() - pp[i].grad()).abs().max().item<double>(), 1e-6);
      clipped_sq += pf[i].grad().pow(2).sum().item<double>();
    }
    if (max_norm < norm) {
      EXPECT_NEAR(std::sqrt(clipped_sq), max_norm, 1e-5);
    } else {
      EXPECT_NEAR(std::sqrt(clipped_sq), norm, 1e-5 * norm);
    }
  }
}

TEST(FlatAdamWTest, ClipGradNormZeroOnlyMeasures) {
  SmallNet flat = makeNet(5), plain = makeNet(5);
  FlatAdamW optimizer(named(flat), AdamWOptions{});
  auto grads = randomGrads(plain, 1);
  setFlatGrads(flat, grads);
  double expected_sq = 0;
  for (const auto& g : grads) expected_sq += g.pow(2).sum().item<double>();
  double norm = optimizer.clipGradNorm(0.0);
  EXPECT_NEAR(norm, std::sqrt(expected_sq), 1e-5 * norm);
  EXPECT_GT(norm, 1.0);
  auto params = flat->parameters();
  for (size_t i = 0; i < params.size(); ++i) EXPECT_TRUE(torch::equal(params[i].grad(), grads[i]));
}

TEST(FlatAdamWTest, AutogradAccumulatesIntoTheFlatBuffer) {
  SmallNet net = makeNet(9);
  FlatAdamW optimizer(named(net), AdamWOptions{});
  std::vector<const void*> grad_ptrs;
  for (const auto& p : net->parameters()) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_EQ(p.grad().abs().sum().item<double>(), 0.0);
    grad_ptrs.push_back(p.grad().data_ptr());
  }
  torch::Tensor ids = torch::tensor({{1, 2, 3}, {4, 5, 10}}, torch::kLong);
  auto loss = [&] { return net->forward(ids).pow(2).mean(); };

  loss().backward();
  auto params = net->parameters();
  std::vector<torch::Tensor> first;
  double sum_sq = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(params[i].grad().data_ptr(), grad_ptrs[i]) << "gradient was replaced, not accumulated in place";
    first.push_back(params[i].grad().clone());
    sum_sq += first.back().pow(2).sum().item<double>();
  }
  EXPECT_GT(sum_sq, 0.0);
  // The optimizer sees exactly what autograd wrote.
  EXPECT_NEAR(optimizer.clipGradNorm(0.0), std::sqrt(sum_sq), 1e-5 * std::sqrt(sum_sq));

  loss().backward();  // accumulates: twice the gradient
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_TRUE(torch::allclose(params[i].grad(), first[i] * 2, 1e-5, 1e-7));
  }

  auto before = test::snapshot(named(net));
  optimizer.step(1e-2);
  for (size_t i = 0; i < params.size(); ++i) EXPECT_FALSE(torch::equal(params[i], before[i]));

  optimizer.zeroGrad();
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(params[i].grad().abs().sum().item<double>(), 0.0);
    EXPECT_EQ(params[i].grad().data_ptr(), grad_ptrs[i]);
  }
}

TEST(FlatAdamWTest, FrozenParametersAreLeftOut) {
  SmallNet net = makeNet(2);
  net->emb->weight.set_requires_grad(false);
  torch::Tensor frozen = net->emb->weight.detach().clone();
  FlatAdamW optimizer(named(net), AdamWOptions{});
  int64_t all = 0;
  for (const auto& p : net->parameters()) all += p.numel();
  EXPECT_EQ(optimizer.parameterCount(), all - 11 * 8);  // the 11x8 embedding is frozen
  net->forward(torch::tensor({{1, 2}}, torch::kLong)).sum().backward();
  optimizer.step(0.1);
  EXPECT_TRUE(torch::equal(net->emb->weight, frozen));
}

TEST(FlatAdamWTest, StateRoundTripContinuesIdentically) {
  SmallNet a = makeNet(4), b = makeNet(99);
  FlatAdamW opt_a(named(a), AdamWOptions{0.9, 0.95, 1e-8, 0.1});
  FlatAdamW opt_b(named(b), AdamWOptions{0.9, 0.95, 1e-8, 0.1});
  for (int64_t step = 0; step < 20; ++step) {
    if (step == 10) {
      // Restore b from a's state (a checkpoint): weights, moments, step count.
      std::vector<std::pair<std::string, torch::Tensor>> saved;
      for (const auto& [name, t] : opt_a.stateTensors()) saved.emplace_back(name, t.clone());
      EXPECT_EQ(saved.size(), 4u);
      torch::NoGradGuard no_grad;
      auto pa = a->parameters(), pb = b->parameters();
      for (size_t i = 0; i < pa.size(); ++i) pb[i].copy_(pa[i]);
      opt_b.loadStateTensors(saved, opt_a.stepCount());
      EXPECT_EQ(opt_b.stepCount(), 10);
    }
    auto grads = randomGrads(a, step);
    setFlatGrads(a, grads);
    opt_a.step(lrAt(step));
    if (step >= 10) {
      setFlatGrads(b, grads);
      opt_b.step(lrAt(step));
    }
  }
  auto pa = a->parameters(), pb = b->parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i]));
  auto sa = opt_a.stateTensors(), sb = opt_b.stateTensors();
  for (size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].first, sb[i].first);
    EXPECT_TRUE(torch::equal(sa[i].second, sb[i].second)) << sa[i].first;
  }
}

TEST(FlatAdamWTest, LoadStateRejectsWrongSizesAndNames) {
  SmallNet net = makeNet(1);
  FlatAdamW optimizer(named(net), AdamWOptions{});
  std::string name = optimizer.stateTensors().front().first;
  std::string message = test::errorMessage(ErrorKind::InvalidInput, [&] {
    optimizer.loadStateTensors({{name, torch::zeros({3})}}, 1);
  });
  test::expectContains(message, {"`" + name + "`", "has 3 values"});
  message = test::errorMessage(ErrorKind::InvalidInput, [&] {
    optimizer.loadStateTensors({{"group7.exp_avg", torch::zeros({3})}}, 1);
  });
  test::expectContains(message, {"unexpected tensor `group7.exp_avg`"});
  // A checkpoint without some moments is refused rather than resumed with zeros.
  auto state = optimizer.stateTensors();
  state.pop_back();
  message = test::errorMessage(ErrorKind::InvalidInput, [&] { optimizer.loadStateTensors(state, 1); });
  test::expectContains(message, {"missing `group1.exp_avg_sq`"});
}

}  // namespace
}  // namespace temper
