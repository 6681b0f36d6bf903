// Metrics, checkpoints and samples: batched writes, step order, latest values, NaN round trips.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/store/run_id.h"
#include "core/store/store.h"
#include "store_test_support.h"

using namespace temper;
using namespace temper::store_test;

namespace {

MetricPoint seriesPoint(int64_t step, const std::string& name, double value) {
  return MetricPoint{step, step * 1024, static_cast<double>(step) * 0.5, name, value};
}

class StoreSeries : public ::testing::Test {
 protected:
  TempDir dir_;
  Store store_ = Store::open(dir_ / "temper.db");
  std::string run_ = store_.createRun(NewRun{.name = "series"});
};

}  // namespace

TEST_F(StoreSeries, MetricBatchReadsBackInStepOrder) {
  // Appended out of order across two batches.
  store_.appendMetrics(run_, {seriesPoint(3, "loss", 1.5), seriesPoint(3, "lr", 3e-4), seriesPoint(1, "loss", 2.5)});
  store_.appendMetrics(run_, {seriesPoint(2, "loss", 2.0), seriesPoint(1, "lr", 1e-4), seriesPoint(2, "lr", 2e-4)});

  auto loss = store_.metrics(run_, "loss");
  ASSERT_EQ(loss.size(), 3u);
  EXPECT_EQ(loss[0].step, 1);
  EXPECT_EQ(loss[1].step, 2);
  EXPECT_EQ(loss[2].step, 3);
  EXPECT_DOUBLE_EQ(loss[0].value, 2.5);
  EXPECT_DOUBLE_EQ(loss[2].value, 1.5);
  EXPECT_EQ(loss[2].tokens_seen, 3 * 1024);
  EXPECT_DOUBLE_EQ(loss[2].wall_time_s, 1.5);
  EXPECT_EQ(loss[2].name, "loss");

  auto all = store_.metrics(run_);
  ASSERT_EQ(all.size(), 6u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LE(all[i - 1].step, all[i].step);
  EXPECT_EQ(all[0].name, "loss");  // same step: by name
  EXPECT_EQ(all[1].name, "lr");

  EXPECT_TRUE(store_.metrics(run_, "no-such-metric").empty());
  EXPECT_TRUE(store_.metrics("no-such-run").empty());
}

TEST_F(StoreSeries, NanAndInfinitySurvive) {
  double inf = std::numeric_limits<double>::infinity();
  store_.appendMetrics(
      run_, {seriesPoint(1, "loss", std::nan("")), seriesPoint(2, "loss", inf), seriesPoint(3, "loss", -inf)});
  auto loss = store_.metrics(run_, "loss");
  ASSERT_EQ(loss.size(), 3u);
  EXPECT_TRUE(std::isnan(loss[0].value));
  EXPECT_EQ(loss[1].value, inf);
  EXPECT_EQ(loss[2].value, -inf);
}

TEST_F(StoreSeries, ReloggedStepReplacesThePoint) {
  // A run resumed from the checkpoint at step 4 logs step 5 again.
  store_.appendMetrics(run_, {seriesPoint(4, "loss", 1.0), seriesPoint(5, "loss", 0.9)});
  store_.appendMetrics(run_, {seriesPoint(5, "loss", 0.8), seriesPoint(6, "loss", 0.7)});
  auto loss = store_.metrics(run_, "loss");
  ASSERT_EQ(loss.size(), 3u);
  EXPECT_DOUBLE_EQ(loss[1].value, 0.8);
}

TEST_F(StoreSeries, LastMetricsGivesTheHighestStepPerName) {
  std::vector<MetricPoint> batch;
  for (int64_t step = 1; step <= 10; ++step)
    batch.push_back(seriesPoint(step, "loss", 10.0 - static_cast<double>(step)));
  batch.push_back(seriesPoint(10, "eval_loss", 1.25));
  batch.push_back(seriesPoint(5, "eval_loss", 2.5));  // older, appended later
  store_.appendMetrics(run_, batch);

  auto last = store_.lastMetrics(run_);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last.at("loss").step, 10);
  EXPECT_DOUBLE_EQ(last.at("loss").value, 0.0);
  EXPECT_EQ(last.at("loss").tokens_seen, 10 * 1024) << "the other columns must come from the same row";
  EXPECT_EQ(last.at("eval_loss").step, 10);
  EXPECT_DOUBLE_EQ(last.at("eval_loss").value, 1.25);
  EXPECT_TRUE(store_.lastMetrics("no-such-run").empty());
}

TEST_F(StoreSeries, InvalidBatchStoresNothing) {
  store_.appendMetrics(run_, {});  // an empty batch is fine and does nothing
  Error error = expectError([&] { store_.appendMetrics(run_, {seriesPoint(1, "loss", 1), seriesPoint(2, "", 2)}); });
  EXPECT_EQ(error.kind(), ErrorKind::InvalidConfig);
  EXPECT_TRUE(mentions(error, "step 2"));
  EXPECT_TRUE(mentions(error, "empty name"));
  EXPECT_TRUE(store_.metrics(run_).empty());
}

TEST_F(StoreSeries, CheckpointsInStepOrderWithOptionalValLoss) {
  double before = nowUnixSeconds();
  store_.addCheckpoint(run_, {200, 204800, "runs/x/checkpoints/step-200", 1.75, 0});
  store_.addCheckpoint(run_, {100, 102400, "runs/x/checkpoints/step-100", std::nan(""), 1700000000.5});
  auto list = store_.checkpoints(run_);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].step, 100);
  EXPECT_EQ(list[0].tokens_seen, 102400);
  EXPECT_EQ(list[0].path, "runs/x/checkpoints/step-100");
  EXPECT_TRUE(std::isnan(list[0].val_loss)) << "no eval stays NaN";
  EXPECT_DOUBLE_EQ(list[0].created_at, 1700000000.5);
  EXPECT_EQ(list[1].step, 200);
  EXPECT_DOUBLE_EQ(list[1].val_loss, 1.75);
  EXPECT_GE(list[1].created_at, before - 1) << "created_at 0 means now";

  // Saving the same step again (after a resume) replaces the record.
  store_.addCheckpoint(run_, {200, 204800, "runs/x/checkpoints/step-200-again", 1.5, 0});
  list = store_.checkpoints(run_);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].path, "runs/x/checkpoints/step-200-again");
}

TEST_F(StoreSeries, SamplesInStepThenInsertionOrder) {
  store_.addSample(run_, {50, "The cat", "The cat sat on the mat.", 0});
  store_.addSample(run_, {10, "Hello", "Hello there \xf0\x9f\x98\x80", 0});
  store_.addSample(run_, {50, "A dog", "A dog barked.", 0});
  auto list = store_.samples(run_);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].step, 10);
  EXPECT_EQ(list[0].text, "Hello there \xf0\x9f\x98\x80");
  EXPECT_EQ(list[1].prompt, "The cat");
  EXPECT_EQ(list[2].prompt, "A dog");
  EXPECT_GT(list[2].created_at, 0);
}

TEST_F(StoreSeries, SamplesAddedSinceReadsOnlyNewOnesInInsertionOrder) {
  std::string other = store_.createRun(NewRun{.name = "other"});
  int64_t cursor = 0;
  EXPECT_TRUE(store_.samplesAddedSince(run_, cursor).empty());
  store_.addSample(run_, SampleRecord{20, "a", "a1", 1.0});
  store_.addSample(other, SampleRecord{5, "x", "x1", 1.0});
  store_.addSample(run_, SampleRecord{20, "b", "b1", 2.0});
  auto first = store_.samplesAddedSince(run_, cursor);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].text, "a1");
  EXPECT_EQ(first[1].text, "b1");
  EXPECT_TRUE(store_.samplesAddedSince(run_, cursor).empty()) << "nothing new";
  // A resumed run samples an earlier step again: still "new", after the others.
  store_.addSample(run_, SampleRecord{10, "a", "a2", 3.0});
  store_.addSample(other, SampleRecord{6, "x", "x2", 3.0});
  auto second = store_.samplesAddedSince(run_, cursor);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].step, 10);
  EXPECT_EQ(second[0].prompt, "a");
  EXPECT_EQ(second[0].text, "a2");
  EXPECT_DOUBLE_EQ(second[0].created_at, 3.0);
  int64_t other_cursor = 0;
  EXPECT_EQ(store_.samplesAddedSince(other, other_cursor).size(), 2u);
}

TEST_F(StoreSeries, SampleScoresAreKeptAsWritten) {
  // A rewarded method's sample keeps what it was scored with; a plain sample reads back "{}".
  store_.addSample(run_, SampleRecord{10, "p", "p ok", 1.0, R"({"reward":1.5,"rewards/format":1.0})"});
  store_.addSample(run_, SampleRecord{10, "q", "q ok", 1.0});
  const auto all = store_.samples(run_);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].scores_json, R"({"reward":1.5,"rewards/format":1.0})");
  EXPECT_EQ(all[1].scores_json, "{}");
  int64_t cursor = 0;
  const auto added = store_.samplesAddedSince(run_, cursor);
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added[0].scores_json, all[0].scores_json);
}
