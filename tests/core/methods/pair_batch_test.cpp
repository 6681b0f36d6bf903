// Pairs as one right-padded batch (core/methods/preference/pair_batch.h): the layout, and that the
// padded batch scores every answer as the answer's own unpadded sequence does on a random GPT.
#include "core/methods/preference/pair_batch.h"

#include <gtest/gtest.h>

#include "core/model/gpt.h"
#include "core/torch_api.h"
#include "tests/core/model/model_test_support.h"

namespace temper {
namespace {

PreferenceExample example(std::vector<int> prompt, std::vector<int> chosen, std::vector<int> rejected) {
  return {std::move(prompt), std::move(chosen), std::move(rejected), "test"};
}

std::vector<int64_t> row(const torch::Tensor& t, int64_t r) {
  auto c = t[r].contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

TEST(PairBatch, ChosenRowsComeFirstThenRejectedRightPadded) {
  auto a = example({5, 6}, {7}, {8, 9, 10});
  auto b = example({11}, {12, 13}, {14});
  auto batch = collatePairs({&a, &b}, 0, torch::kCPU);
  EXPECT_EQ(batch.pairs, 2);
  ASSERT_EQ(batch.ids.sizes(), (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(row(batch.ids, 0), (std::vector<int64_t>{5, 6, 7, 0, 0}));
  EXPECT_EQ(row(batch.ids, 1), (std::vector<int64_t>{11, 12, 13, 0, 0}));
  EXPECT_EQ(row(batch.ids, 2), (std::vector<int64_t>{5, 6, 8, 9, 10}));
  EXPECT_EQ(row(batch.ids, 3), (std::vector<int64_t>{11, 14, 0, 0, 0}));
  EXPECT_EQ(row(batch.completion_mask, 2), (std::vector<int64_t>{0, 0, 1, 1, 1}));
  EXPECT_EQ(row(batch.completion_mask, 3), (std::vector<int64_t>{0, 1, 0, 0, 0}));
  EXPECT_EQ(std::vector<int64_t>(batch.lengths.data_ptr<int64_t>(), batch.lengths.data_ptr<int64_t>() + 4),
            (std::vector<int64_t>{3, 3, 5, 2}));
  EXPECT_EQ(batch.tokens, 13);
}

TEST(PairBatch, TheClassifierReadsTheLastNonPadPositionAsTransformersDoes) {
  // pad = eos = 2: a trailing eos is padding to transformers, so the answer's last token is read.
  auto ids = torch::tensor({5, 6, 2, 2, 5, 6, 7, 8, 5, 2, 7, 2, 2, 2, 2, 2}, torch::kLong).view({4, 4});
  auto last = lastNonPadPositions(ids, 2);
  EXPECT_EQ(std::vector<int64_t>(last.data_ptr<int64_t>(), last.data_ptr<int64_t>() + 4),
            (std::vector<int64_t>{1, 3, 2, 0}));
}

TEST(PairBatch, PaddingChangesNoAnswersLogProbability) {
  auto model = test::randomModel(test::smallConfig(), 11);
  torch::NoGradGuard no_grad;
  auto a = example({1, 2, 3}, {4, 5}, {6, 7, 8, 9});
  auto b = example({10}, {11, 12, 13, 14, 15, 16}, {17});
  auto batch = collatePairs({&a, &b}, 0, torch::kCPU);
  auto logps = pairLogps(model->forward(batch.ids), batch);
  // Each sequence alone, unpadded.
  auto alone = [&](const std::vector<int>& prompt, const std::vector<int>& answer) {
    std::vector<int64_t> ids(prompt.begin(), prompt.end());
    ids.insert(ids.end(), answer.begin(), answer.end());
    std::vector<int64_t> mask(prompt.size(), 0);
    mask.insert(mask.end(), answer.size(), 1);
    auto ids_t = torch::tensor(ids, torch::kLong).unsqueeze(0);
    return sequenceLogps(model->forward(ids_t), ids_t, torch::tensor(mask, torch::kLong).unsqueeze(0));
  };
  // fp32 sums of up to 6 log-probs of magnitude ~4 (vocab 50) computed by differently shaped
  // products: differences of a few ulps of ~25, far below 1e-4; a padding leak would move them by
  // whole units.
  const std::vector<std::pair<const PreferenceExample*, int>> rows = {{&a, 0}, {&b, 1}};
  for (const auto& [e, i] : rows) {
    auto chosen = alone(e->prompt, e->chosen);
    auto rejected = alone(e->prompt, e->rejected);
    EXPECT_NEAR(logps.chosen.sum[i].item<float>(), chosen.sum.item<float>(), 1e-4);
    EXPECT_NEAR(logps.rejected.sum[i].item<float>(), rejected.sum.item<float>(), 1e-4);
    EXPECT_EQ(logps.chosen.tokens[i].item<float>(), static_cast<float>(e->chosen.size()));
    EXPECT_EQ(logps.rejected.tokens[i].item<float>(), static_cast<float>(e->rejected.size()));
  }
}

TEST(PairBatch, LastTokenValuesReadEachRowAtItsLength) {
  auto values = torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}).view({2, 3});
  auto last = lastTokenValues(values, torch::tensor({2, 3}, torch::kLong));
  EXPECT_EQ(last[0].item<double>(), 2.0);
  EXPECT_EQ(last[1].item<double>(), 6.0);
  EXPECT_EQ(lastTokenValues(values.unsqueeze(-1), torch::tensor({1, 1}, torch::kLong))[1].item<double>(), 4.0);
}

}  // namespace
}  // namespace temper
