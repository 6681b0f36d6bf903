// The KV cache against full forwards, and generation against a plain greedy loop written here.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <ATen/CPUGeneratorImpl.h>

#include "core/common/error.h"
#include "core/model/generation.h"
#include "core/model/gpt.h"
#include "core/model/kv_cache.h"
#include "model_test_support.h"

namespace temper {
namespace {

using test::expectError;
using test::smallConfig;

// Each cache test runs in float64 (semantics) and in float32 as trained (model_test_support.h's
// sameComputation says why the tolerance scales with the logits).
TEST(KvCache, TokenByTokenLogitsEqualTheFullForward) {
  auto model = test::randomModel(smallConfig(), 21);
  torch::NoGradGuard no_grad;
  auto ids = test::randomIds(2, 16, 50, 22);
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    model->to(dtype);
    auto full = model->forward(ids);
    KvCache cache = model->makeCache(2);
    for (int64_t t = 0; t < 16; ++t) {
      auto step = model->forward(ids.narrow(1, t, 1), &cache);
      ASSERT_EQ(step.sizes(), (std::vector<int64_t>{2, 1, 50}));
      EXPECT_TRUE(test::sameComputation(step.squeeze(1), full.select(1, t))) << "position " << t << " " << dtype;
      EXPECT_EQ(cache.length(), t + 1);
    }
  }
}

TEST(KvCache, ChunkedLogitsEqualTheFullForward) {
  auto model = test::randomModel(smallConfig(), 23);
  torch::NoGradGuard no_grad;
  auto ids = test::randomIds(3, 16, 50, 24);
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    model->to(dtype);
    auto full = model->forward(ids);
    KvCache cache = model->makeCache(3);
    int64_t start = 0;
    for (int64_t chunk : {3, 1, 5, 7}) {
      auto part = model->forward(ids.narrow(1, start, chunk), &cache);
      EXPECT_TRUE(test::sameComputation(part, full.narrow(1, start, chunk))) << "chunk at " << start << " " << dtype;
      start += chunk;
    }
    EXPECT_EQ(cache.length(), 16);
    // The cache is full: one more position is past the learned positions.
    EXPECT_ANY_THROW(model->forward(ids.narrow(1, 0, 1), &cache));
    // After a reset the same cache serves a new sequence.
    cache.reset();
    auto again = model->forward(ids.narrow(1, 0, 4), &cache);
    EXPECT_TRUE(test::sameComputation(again, full.narrow(1, 0, 4))) << dtype;
  }
}

// A cache that starts small grows (doubling, up to the context) and keeps what it held: the
// logits still equal the full forward at every position, in chunks that cross each growth.
TEST(KvCache, GrowsFromASmallReserveUpToTheContext) {
  auto model = test::randomModel(smallConfig(), 25);
  torch::NoGradGuard no_grad;
  auto ids = test::randomIds(2, 16, 50, 26);
  model->to(torch::kDouble);  // semantics of growth; the float32 path is covered above
  auto full = model->forward(ids);
  KvCache cache = model->makeCache(2, 2);
  EXPECT_EQ(cache.capacity(), 2);
  EXPECT_EQ(cache.maxPositions(), 16);
  std::vector<int64_t> capacities;
  int64_t start = 0;
  for (int64_t chunk : {1, 2, 3, 1, 6, 3}) {
    auto part = model->forward(ids.narrow(1, start, chunk), &cache);
    EXPECT_TRUE(test::sameComputation(part, full.narrow(1, start, chunk))) << "chunk at " << start;
    start += chunk;
    capacities.push_back(cache.capacity());
  }
  // 1 fits in 2; 3 → 4; 6 → 8; 7 fits; 13 → 16; 16 fits and stays at the context.
  EXPECT_EQ(capacities, (std::vector<int64_t>{2, 4, 8, 8, 16, 16}));
  EXPECT_ANY_THROW(model->forward(ids.narrow(1, 0, 1), &cache));
  // A reserve beyond the context is clamped to it.
  EXPECT_EQ(model->makeCache(1, 1000).capacity(), 16);
}

TEST(KvCache, AppendReturnsAllPositionsSoFarAndRejectsOverflow) {
  KvCache cache(2, 1, 2, 4, 3, torch::TensorOptions().dtype(torch::kFloat32), 4);
  EXPECT_EQ(cache.capacity(), 4);
  auto k1 = torch::randn({1, 2, 3, 3}), v1 = torch::randn({1, 2, 3, 3});
  auto [k_all, v_all] = cache.append(0, k1, v1);
  EXPECT_TRUE(torch::equal(k_all, k1));
  EXPECT_TRUE(torch::equal(v_all, v1));
  cache.append(1, k1, v1);
  cache.advance(3);
  auto k2 = torch::randn({1, 2, 1, 3}), v2 = torch::randn({1, 2, 1, 3});
  auto [k_both, v_both] = cache.append(0, k2, v2);
  EXPECT_TRUE(torch::equal(k_both, torch::cat({k1, k2}, 2)));
  EXPECT_TRUE(torch::equal(v_both, torch::cat({v1, v2}, 2)));
  cache.advance(1);
  try {
    cache.append(0, k2, v2);
    ADD_FAILURE() << "overflow not detected";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("context is 4"), std::string::npos) << e.what();
  }
}

/// Greedy decoding the obvious way: the whole window (last `context` tokens) through a full
/// forward at every step, argmax of the last position.
std::vector<int64_t> referenceGreedy(Gpt& model, std::vector<int64_t> sequence, int64_t steps) {
  torch::NoGradGuard no_grad;
  const auto context = static_cast<size_t>(model->config().context);
  std::vector<int64_t> out;
  for (int64_t i = 0; i < steps; ++i) {
    size_t start = sequence.size() > context ? sequence.size() - context : 0;
    std::vector<int64_t> window(sequence.begin() + static_cast<long>(start), sequence.end());
    auto logits = model->forward(torch::tensor(window, torch::kLong).view({1, -1}));
    int64_t next = logits[0][-1].argmax().item<int64_t>();
    out.push_back(next);
    sequence.push_back(next);
  }
  return out;
}

GptConfig longContextConfig() {
  GptConfig c = smallConfig();
  c.context = 48;
  return c;
}

TEST(Generation, GreedyWithAndWithoutCacheEqualsTheReferenceLoop) {
  auto model = test::decodingModel(longContextConfig(), 38);
  const std::vector<int64_t> prompt{4, 17, 9};
  SamplingOptions options;
  options.max_new_tokens = 30;
  options.temperature = 0.0;
  auto cached = generate(*model, prompt, options);
  options.use_cache = false;
  auto uncached = generate(*model, prompt, options);
  ASSERT_EQ(cached.size(), 30u);
  EXPECT_EQ(cached, uncached);
  EXPECT_EQ(cached, referenceGreedy(model, prompt, 30));
  // The output must not collapse to one repeated token (else the comparison is weak).
  EXPECT_GE(std::set<int64_t>(cached.begin(), cached.end()).size(), 3u) << ::testing::PrintToString(cached);
}

TEST(Generation, TopKOneEqualsGreedy) {
  auto model = test::randomModel(longContextConfig(), 26);
  const std::vector<int64_t> prompt{1, 2, 3, 4};
  SamplingOptions greedy;
  greedy.max_new_tokens = 30;
  greedy.temperature = 0.0;
  SamplingOptions top1 = greedy;
  top1.temperature = 1.3;
  top1.top_k = 1;
  top1.seed = 99;
  EXPECT_EQ(generate(*model, prompt, top1), generate(*model, prompt, greedy));
}

TEST(Generation, SameSeedSameSamplesDifferentSeedDifferentSamples) {
  auto model = test::randomModel(longContextConfig(), 27);
  const std::vector<int64_t> prompt{7};
  SamplingOptions options;
  options.max_new_tokens = 30;
  options.temperature = 1.5;
  options.seed = 1234;
  auto first = generate(*model, prompt, options);
  torch::manual_seed(555);  // the global RNG must not matter
  EXPECT_EQ(generate(*model, prompt, options), first);
  options.use_cache = false;
  EXPECT_EQ(generate(*model, prompt, options), first) << "the cache must not change what is sampled";
  options.use_cache = true;
  options.seed = 1235;
  EXPECT_NE(generate(*model, prompt, options), first);
}

TEST(Generation, SequencesLongerThanTheContextSlide) {
  auto model = test::decodingModel(smallConfig(), 34);  // context 16
  std::vector<int64_t> prompt;
  for (int64_t i = 0; i < 20; ++i) prompt.push_back((i * 7) % 50);  // already past the context
  SamplingOptions options;
  options.max_new_tokens = 30;
  options.temperature = 0.0;
  std::vector<int64_t> cached;
  ASSERT_NO_THROW(cached = generate(*model, prompt, options));
  ASSERT_EQ(cached.size(), 30u);
  options.use_cache = false;
  EXPECT_EQ(generate(*model, prompt, options), cached);
  EXPECT_EQ(cached, referenceGreedy(model, prompt, 30));

  // A short prompt that grows past the context while generating.
  options.use_cache = true;
  const std::vector<int64_t> short_prompt{3, 1};
  auto grown = generate(*model, short_prompt, options);
  EXPECT_EQ(grown, referenceGreedy(model, short_prompt, 30));
  EXPECT_GE(std::set<int64_t>(grown.begin(), grown.end()).size(), 3u) << ::testing::PrintToString(grown);

  // Sampling sees every logit, not only the argmax: the window must be the same with and
  // without the cache (the last `context` tokens, as the header documents).
  options.temperature = 1.0;
  options.seed = 77;
  auto sampled = generate(*model, short_prompt, options);
  options.use_cache = false;
  EXPECT_EQ(generate(*model, short_prompt, options), sampled);
}

TEST(Generation, StopsAtEosAtTheCallbackAndAtZeroBudget) {
  auto model = test::randomModel(longContextConfig(), 29);
  const std::vector<int64_t> prompt{5, 6};
  SamplingOptions options;
  options.max_new_tokens = 20;
  options.temperature = 0.0;
  auto all = generate(*model, prompt, options);
  ASSERT_EQ(all.size(), 20u);

  options.eos_id = all[4];
  auto until_eos = generate(*model, prompt, options);
  auto first_eos = std::find(all.begin(), all.end(), all[4]);
  EXPECT_EQ(until_eos, std::vector<int64_t>(all.begin(), first_eos + 1)) << "stops after emitting eos";

  options.eos_id = -1;
  std::vector<int64_t> seen;
  auto stopped = generate(*model, prompt, options, [&](int64_t id) {
    seen.push_back(id);
    return seen.size() < 3;
  });
  EXPECT_EQ(stopped, std::vector<int64_t>(all.begin(), all.begin() + 3));
  EXPECT_EQ(seen, stopped);

  options.max_new_tokens = 0;
  EXPECT_TRUE(generate(*model, prompt, options).empty());
}

TEST(Generation, RestoresTrainingModeAndRejectsBadOptions) {
  auto model = test::randomModel(smallConfig(), 30);
  model->train();
  SamplingOptions options;
  options.max_new_tokens = 2;
  generate(*model, {1}, options);
  EXPECT_TRUE(model->is_training());
  model->eval();
  generate(*model, {1}, options);
  EXPECT_FALSE(model->is_training());

  expectError(ErrorKind::InvalidConfig, {"prompt"}, [&] { generate(*model, {}, options); });
  auto expectOption = [&](const char* field, const std::function<void(SamplingOptions&)>& change) {
    SamplingOptions o;
    change(o);
    expectError(ErrorKind::InvalidConfig, {field}, [&] { validateSampling(o); });
  };
  expectOption("max-new-tokens", [](SamplingOptions& o) { o.max_new_tokens = -1; });
  expectOption("temperature", [](SamplingOptions& o) { o.temperature = -0.5; });
  expectOption("temperature", [](SamplingOptions& o) { o.temperature = std::nan(""); });
  expectOption("top-k", [](SamplingOptions& o) { o.top_k = -1; });
  expectOption("top-p", [](SamplingOptions& o) { o.top_p = 0.0; });
  expectOption("top-p", [](SamplingOptions& o) { o.top_p = 1.5; });
}

std::map<int64_t, double> sampleFrequencies(const torch::Tensor& logits, const SamplingOptions& options, int draws) {
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  std::map<int64_t, int> counts;
  for (int i = 0; i < draws; ++i) ++counts[sampleToken(logits, options, generator)];
  std::map<int64_t, double> frequencies;
  for (const auto& [token, count] : counts) frequencies[token] = static_cast<double>(count) / draws;
  return frequencies;
}

TEST(Sampling, FrequenciesFollowTemperatureTopKAndTopP) {
  // Probabilities 4/7, 2/7, 1/7 and two tokens with almost no mass.
  auto logits = torch::tensor({std::log(1.0), std::log(4.0), -30.0, std::log(2.0), -30.0}, torch::kFloat32);
  SamplingOptions o;
  o.seed = 3;
  auto plain = sampleFrequencies(logits, o, 20000);
  EXPECT_NEAR(plain[1], 4.0 / 7, 0.015);
  EXPECT_NEAR(plain[3], 2.0 / 7, 0.015);
  EXPECT_NEAR(plain[0], 1.0 / 7, 0.015);

  o.temperature = 0.5;  // squares the odds: 16 : 4 : 1
  auto sharp = sampleFrequencies(logits, o, 20000);
  EXPECT_NEAR(sharp[1], 16.0 / 21, 0.015);
  EXPECT_NEAR(sharp[0], 1.0 / 21, 0.01);

  o.temperature = 1.0;
  o.top_k = 2;  // 4 : 2
  auto top2 = sampleFrequencies(logits, o, 20000);
  EXPECT_EQ(top2.count(0), 0u);
  EXPECT_NEAR(top2[1], 2.0 / 3, 0.015);

  o.top_k = 0;
  o.top_p = 0.5;  // 4/7 alone already reaches 0.5
  auto nucleus_one = sampleFrequencies(logits, o, 2000);
  EXPECT_EQ(nucleus_one.size(), 1u);
  EXPECT_EQ(nucleus_one.begin()->first, 1);
  o.top_p = 0.8;  // 4/7 < 0.8, 6/7 >= 0.8: tokens 1 and 3
  auto nucleus_two = sampleFrequencies(logits, o, 20000);
  EXPECT_EQ(nucleus_two.count(0), 0u);
  EXPECT_NEAR(nucleus_two[1], 2.0 / 3, 0.015);

  o.temperature = 0.0;
  EXPECT_EQ(sampleFrequencies(logits, o, 10).at(1), 1.0);
}

// generateBatch: each row of a batch is what generate() makes alone with the row's options (the
// rows share the prompt, so batching changes only the GEMM shapes), rows end on their own terms,
// and the batch stops at the context.
TEST(GenerationBatch, EachRowEqualsGeneratingItAlone) {
  auto model = test::decodingModel(longContextConfig(), 41);
  const std::vector<int64_t> prompt{5, 11, 2, 30};
  std::vector<SamplingOptions> rows(4);
  rows[0].temperature = 0.0;
  rows[0].max_new_tokens = 25;
  rows[1].temperature = 1.2;
  rows[1].seed = 7;
  rows[1].max_new_tokens = 25;
  rows[2] = rows[1];
  rows[2].seed = 8;
  rows[3].temperature = 0.9;
  rows[3].top_p = 0.8;
  rows[3].top_k = 10;
  rows[3].seed = 9;
  rows[3].max_new_tokens = 12;  // ends before the others
  const auto batch = generateBatch(*model, prompt, rows);
  ASSERT_EQ(batch.size(), 4u);
  for (size_t r = 0; r < rows.size(); ++r) {
    EXPECT_EQ(batch[r], generate(*model, prompt, rows[r])) << "row " << r;
  }
  EXPECT_EQ(batch[3].size(), 12u);
  EXPECT_NE(batch[1], batch[2]);
}

// Without the cache (what `temper bench rollouts` compares against) the rows recompute their whole
// sequences each step and sample the same tokens: the decoding model's logits are far apart
// (test::decodingModel), so float rounding between the two paths does not tip a draw.
TEST(GenerationBatch, WithoutTheCacheTheRowsSampleTheSame) {
  auto model = test::decodingModel(longContextConfig(), 43);
  const std::vector<int64_t> prompt{5, 11, 2, 30};
  std::vector<SamplingOptions> rows(3);
  for (size_t r = 0; r < rows.size(); ++r) {
    rows[r].temperature = r == 0 ? 0.0 : 1.0;
    rows[r].seed = 20 + r;
    rows[r].max_new_tokens = 20;
  }
  rows[2].max_new_tokens = 9;
  const auto cached = generateBatch(*model, prompt, rows);
  for (auto& o : rows) o.use_cache = false;
  const auto uncached = generateBatch(*model, prompt, rows);
  EXPECT_EQ(uncached, cached);
  EXPECT_EQ(uncached[2].size(), 9u);
}

TEST(GenerationBatch, RowsEndAtEosAtTheCallbackAndAtTheContext) {
  auto model = test::decodingModel(longContextConfig(), 42);  // context 48
  const std::vector<int64_t> prompt{1, 2, 3};
  std::vector<SamplingOptions> rows(3);
  for (auto& o : rows) {
    o.temperature = 0.0;
    o.max_new_tokens = 100;
  }
  const auto free_run = generateBatch(*model, prompt, {rows[0]});
  ASSERT_EQ(free_run[0].size(), 45u) << "48 positions less the 3-token prompt";
  rows[0].eos_id = free_run[0][4];  // its 5th token ends row 0
  const auto batch = generateBatch(*model, prompt, rows, [](size_t row, int64_t) { return row != 1; });
  EXPECT_EQ(batch[0].size(), static_cast<size_t>(std::find(free_run[0].begin(), free_run[0].end(), free_run[0][4]) -
                                                 free_run[0].begin() + 1));
  EXPECT_EQ(batch[1].size(), 1u);  // the callback ended it after its first token
  EXPECT_EQ(batch[2], free_run[0]);
  std::vector<int64_t> too_long(48, 1);
  EXPECT_THROW(generateBatch(*model, too_long, {rows[2]}), Error);
}

}  // namespace
}  // namespace temper
