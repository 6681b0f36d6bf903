// metric_summaries (schema version 2): after appends (in order, out of order, re-logged steps, NaN,
// infinities), after deleteRun and after migrating a database written with schema version 1, every
// summary equals the aggregate computed here over the points the store gives back. Also
// listRunOverviews and metricsSince, which read them.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "core/store/schema.h"
#include "core/store/store.h"
#include "store_test_support.h"

using namespace temper;
using namespace temper::store_test;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

MetricPoint point(int64_t step, const std::string& name, double value) {
  return MetricPoint{step, step * 1000 + 7, static_cast<double>(step) * 0.25, name, value};
}

// The reference: last point and lowest non-NaN value of each name, from the series itself.
std::map<std::string, MetricSummary> aggregate(const Store& store, const std::string& run) {
  std::map<std::string, MetricSummary> out;
  for (const MetricPoint& p : store.metrics(run)) {
    auto [it, first] = out.try_emplace(p.name);
    MetricSummary& s = it->second;
    if (first || p.step > s.last_step) {
      s.name = p.name;
      s.last_step = p.step;
      s.tokens_seen = p.tokens_seen;
      s.wall_time_s = p.wall_time_s;
      s.last_value = p.value;
    }
    if (!std::isnan(p.value) && (std::isnan(s.min_value) || p.value < s.min_value)) s.min_value = p.value;
  }
  return out;
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

::testing::AssertionResult matchesAggregate(const Store& store, const std::string& run) {
  const auto expected = aggregate(store, run);
  const auto actual = store.metricSummaries(run);
  if (expected.size() != actual.size()) {
    return ::testing::AssertionFailure() << expected.size() << " metric names in the series, " << actual.size()
                                         << " summaries";
  }
  for (const auto& [name, e] : expected) {
    auto it = actual.find(name);
    if (it == actual.end()) return ::testing::AssertionFailure() << "no summary for " << name;
    const MetricSummary& a = it->second;
    if (a.name != name || a.last_step != e.last_step || a.tokens_seen != e.tokens_seen ||
        !same(a.wall_time_s, e.wall_time_s) || !same(a.last_value, e.last_value) || !same(a.min_value, e.min_value)) {
      return ::testing::AssertionFailure()
             << name << ": summary (step " << a.last_step << ", tokens " << a.tokens_seen << ", wall " << a.wall_time_s
             << ", last " << a.last_value << ", min " << a.min_value << ") != aggregate (step " << e.last_step
             << ", tokens " << e.tokens_seen << ", wall " << e.wall_time_s << ", last " << e.last_value << ", min "
             << e.min_value << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

class MetricSummaries : public ::testing::Test {
 protected:
  TempDir dir_;
  Store store_ = Store::open(dir_ / "temper.db");
  std::string run_ = store_.createRun(NewRun{.name = "summaries"});
};

}  // namespace

TEST_F(MetricSummaries, HandComputedFiguresAfterAppends) {
  store_.appendMetrics(run_, {point(1, "train_loss", 4.0), point(2, "train_loss", 3.0)});
  store_.appendMetrics(run_, {point(3, "train_loss", 3.5), point(3, "val_loss", 2.5)});
  store_.appendMetrics(run_, {point(4, "train_loss", kNaN), point(6, "val_loss", 2.75)});
  const auto s = store_.metricSummaries(run_);
  ASSERT_EQ(s.size(), 2u);
  const MetricSummary& train = s.at("train_loss");
  EXPECT_EQ(train.last_step, 4);
  EXPECT_EQ(train.tokens_seen, 4007);
  EXPECT_DOUBLE_EQ(train.wall_time_s, 1.0);
  EXPECT_TRUE(std::isnan(train.last_value)) << "a diverged last step is shown as such";
  EXPECT_DOUBLE_EQ(train.min_value, 3.0) << "NaN is not a minimum";
  const MetricSummary& val = s.at("val_loss");
  EXPECT_EQ(val.last_step, 6);
  EXPECT_DOUBLE_EQ(val.last_value, 2.75);
  EXPECT_DOUBLE_EQ(val.min_value, 2.5);
  EXPECT_TRUE(matchesAggregate(store_, run_));
  EXPECT_TRUE(store_.metricSummaries("no-such-run").empty());
}

TEST_F(MetricSummaries, AllNaNHasNoMinimumAndInfinityIsKept) {
  store_.appendMetrics(run_, {point(1, "a", kNaN), point(2, "a", kNaN), point(1, "b", kInf)});
  store_.appendMetrics(run_, {point(2, "b", -kInf)});
  const auto s = store_.metricSummaries(run_);
  EXPECT_TRUE(std::isnan(s.at("a").min_value));
  EXPECT_EQ(s.at("b").min_value, -kInf);
  EXPECT_EQ(s.at("b").last_value, -kInf);
  EXPECT_TRUE(matchesAggregate(store_, run_));
}

TEST_F(MetricSummaries, ResumeReplacingTheBestPointRaisesTheMinimum) {
  // The first process logged a low val_loss at step 20, then died before its checkpoint; the
  // resumed process re-logs steps 11..30 and step 20 is now worse. The old minimum must go.
  std::vector<MetricPoint> first, resumed;
  for (int step = 1; step <= 25; ++step) first.push_back(point(step, "train_loss", 10.0 - step * 0.1));
  first.push_back(point(10, "val_loss", 3.0));
  first.push_back(point(20, "val_loss", 1.0));
  store_.appendMetrics(run_, first);
  EXPECT_DOUBLE_EQ(store_.metricSummaries(run_).at("val_loss").min_value, 1.0);
  for (int step = 11; step <= 30; ++step) resumed.push_back(point(step, "train_loss", 20.0 - step * 0.1));
  resumed.push_back(point(20, "val_loss", 2.0));
  resumed.push_back(point(30, "val_loss", 2.5));
  store_.appendMetrics(run_, resumed);
  const auto s = store_.metricSummaries(run_);
  EXPECT_DOUBLE_EQ(s.at("val_loss").min_value, 2.0);
  EXPECT_DOUBLE_EQ(s.at("val_loss").last_value, 2.5);
  EXPECT_EQ(s.at("train_loss").last_step, 30);
  EXPECT_DOUBLE_EQ(s.at("train_loss").min_value, 10.0 - 10 * 0.1) << "step 10 was not replaced";
  EXPECT_TRUE(matchesAggregate(store_, run_));
}

TEST_F(MetricSummaries, RepeatedStepInOneBatchKeepsTheLaterPoint) {
  store_.appendMetrics(run_, {point(1, "loss", 0.5), point(1, "loss", 2.0), point(2, "loss", 3.0)});
  EXPECT_DOUBLE_EQ(store_.metricSummaries(run_).at("loss").min_value, 2.0) << "0.5 was replaced in the same batch";
  EXPECT_TRUE(matchesAggregate(store_, run_));
}

TEST_F(MetricSummaries, RandomBatchesAlwaysEqualTheAggregate) {
  std::mt19937 rng(20261127);
  std::uniform_int_distribution<int> batch_size(1, 12), step_jump(-6, 4), name_pick(0, 3), nan_pick(0, 9);
  std::uniform_real_distribution<double> value(-1.0, 5.0);
  const char* names[] = {"train_loss", "val_loss", "lr", "grad_norm"};
  int64_t step = 0;
  for (int batch = 0; batch < 200; ++batch) {
    std::vector<MetricPoint> points;
    for (int i = batch_size(rng); i > 0; --i) {
      step = std::max<int64_t>(0, step + step_jump(rng) + 2);  // mostly forward, sometimes back (a resume)
      points.push_back(point(step, names[name_pick(rng)], nan_pick(rng) == 0 ? kNaN : value(rng)));
    }
    store_.appendMetrics(run_, points);
    ASSERT_TRUE(matchesAggregate(store_, run_)) << "after batch " << batch;
  }
}

TEST_F(MetricSummaries, DeleteRunRemovesItsSummariesOnly) {
  std::string other = store_.createRun(NewRun{.name = "other"});
  store_.appendMetrics(run_, {point(1, "loss", 1.0), point(1, "val_loss", 2.0)});
  store_.appendMetrics(other, {point(1, "loss", 3.0)});
  store_.deleteRun(run_);
  RawDb raw(dir_ / "temper.db");
  EXPECT_EQ(raw.integer("SELECT count(*) FROM metric_summaries WHERE run_id = '" + run_ + "'"), 0);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM metric_summaries WHERE run_id = '" + other + "'"), 1);
  EXPECT_TRUE(store_.metricSummaries(run_).empty());
  EXPECT_TRUE(matchesAggregate(store_, other));
}

TEST_F(MetricSummaries, LastMetricsComesFromTheSummaries) {
  store_.appendMetrics(run_, {point(5, "loss", 1.0), point(3, "loss", 0.5), point(4, "lr", kNaN)});
  const auto last = store_.lastMetrics(run_);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last.at("loss").step, 5);
  EXPECT_EQ(last.at("loss").tokens_seen, 5007);
  EXPECT_DOUBLE_EQ(last.at("loss").value, 1.0);
  EXPECT_EQ(last.at("loss").name, "loss");
  EXPECT_TRUE(std::isnan(last.at("lr").value));
}

TEST(MetricSummariesMigration, VersionOneDatabaseIsBackfilled) {
  TempDir dir;
  const auto path = dir / "temper.db";
  {
    // A workspace as Temper with schema version 1 left it: migration 1's SQL (migrations never
    // change once shipped) and rows written straight into its tables, NULL standing for NaN.
    RawDb raw(path);
    raw.exec("PRAGMA journal_mode = WAL");
    builtinMigrations()[0].apply(raw.get());
    raw.exec("PRAGMA user_version = 1");
    raw.exec(
        "INSERT INTO runs (id, name, created_at) VALUES ('r1', 'one', 1.0), ('r2', 'two', 2.0), ('r3', 'empty', 3.0);"
        "INSERT INTO metrics (run_id, name, step, tokens_seen, wall_time_s, value) VALUES "
        "('r1', 'train_loss', 1, 100, 0.5, 4.0), ('r1', 'train_loss', 2, 200, 1.0, 3.0),"
        "('r1', 'train_loss', 3, 300, 1.5, NULL), ('r1', 'val_loss', 2, 200, 1.0, 2.5),"
        "('r1', 'val_loss', 3, 300, 1.5, 2.75), ('r2', 'train_loss', 7, 700, 3.5, 1.25),"
        "('r2', 'val_loss', 7, 700, 3.5, NULL);");
  }
  Store store = Store::open(path);
  EXPECT_EQ(store.schemaVersion(), latestSchemaVersion());
  for (const char* run : {"r1", "r2", "r3"}) EXPECT_TRUE(matchesAggregate(store, run)) << run;
  // Hand-computed as well, so the test does not rest on the reference alone.
  const auto r1 = store.metricSummaries("r1");
  EXPECT_EQ(r1.at("train_loss").last_step, 3);
  EXPECT_EQ(r1.at("train_loss").tokens_seen, 300);
  EXPECT_TRUE(std::isnan(r1.at("train_loss").last_value));
  EXPECT_DOUBLE_EQ(r1.at("train_loss").min_value, 3.0);
  EXPECT_DOUBLE_EQ(r1.at("val_loss").min_value, 2.5);
  EXPECT_DOUBLE_EQ(r1.at("val_loss").last_value, 2.75);
  EXPECT_TRUE(std::isnan(store.metricSummaries("r2").at("val_loss").min_value));
  EXPECT_TRUE(store.metricSummaries("r3").empty());
  // Appending after the migration goes on from the backfilled rows.
  store.appendMetrics("r1", {point(4, "train_loss", 2.0), point(4, "val_loss", 2.25)});
  EXPECT_DOUBLE_EQ(store.metricSummaries("r1").at("val_loss").min_value, 2.25);
  EXPECT_TRUE(matchesAggregate(store, "r1"));
  store.deleteRun("r2");
  EXPECT_TRUE(store.metricSummaries("r2").empty());
}

TEST_F(MetricSummaries, RunOverviewsNewestFirstWithTheAskedMetrics) {
  std::string empty = store_.createRun(NewRun{.name = "no points", .config_json = R"({"train":{}})"});
  store_.appendMetrics(run_, {point(3, "train_loss", 2.0), point(3, "val_loss", 2.5), point(3, "lr", 1e-3)});
  const auto overviews = store_.listRunOverviews({"train_loss", "val_loss"});
  const auto runs = store_.listRuns();
  ASSERT_EQ(overviews.size(), runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(overviews[i].run.id, runs[i].id) << "listRuns' order";
    EXPECT_EQ(overviews[i].run.name, runs[i].name);
    EXPECT_EQ(overviews[i].run.status, runs[i].status);
    EXPECT_EQ(overviews[i].run.created_at, runs[i].created_at);
    EXPECT_EQ(overviews[i].run.run_dir, runs[i].run_dir);
    EXPECT_TRUE(overviews[i].run.config_json.empty()) << "a list does not read config_json";
  }
  for (const RunOverview& o : overviews) {
    if (o.run.id == empty) {
      EXPECT_TRUE(o.metrics.empty());
      EXPECT_EQ(o.metric("train_loss"), nullptr);
      continue;
    }
    ASSERT_EQ(o.metrics.size(), 2u) << "lr was not asked for";
    ASSERT_NE(o.metric("val_loss"), nullptr);
    EXPECT_DOUBLE_EQ(o.metric("val_loss")->last_value, 2.5);
    EXPECT_EQ(o.metric("train_loss")->last_step, 3);
    EXPECT_EQ(o.metric("lr"), nullptr);
  }
  EXPECT_EQ(store_.listRunOverviews({}).size(), runs.size());
}

TEST_F(MetricSummaries, MetricsSinceReturnsOnlyLaterPointsInStepOrder) {
  store_.appendMetrics(run_, {point(1, "loss", 1), point(1, "lr", 9), point(2, "loss", 2), point(2, "lr", 8),
                              point(2, "val_loss", 5), point(3, "loss", 3)});
  const auto all = store_.metricsSince(run_, 1);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].step, 2);
  EXPECT_EQ(all[0].name, "loss");
  EXPECT_EQ(all[1].name, "lr");
  EXPECT_EQ(all[2].name, "val_loss");
  EXPECT_EQ(all[3].step, 3);
  EXPECT_EQ(all[3].tokens_seen, 3007);
  EXPECT_EQ(store_.metricsSince(run_, 0).size(), 6u);
  EXPECT_TRUE(store_.metricsSince(run_, 3).empty());
  const auto lr = store_.metricsSince(run_, 1, "lr");
  ASSERT_EQ(lr.size(), 1u);
  EXPECT_DOUBLE_EQ(lr[0].value, 8);
  EXPECT_TRUE(store_.metricsSince(run_, 2, "lr").empty());
  EXPECT_TRUE(store_.metricsSince("no-such-run", 0).empty());
}

TEST_F(MetricSummaries, MetricsSinceWithAStepPerName) {
  // val_loss of step 2 is committed after the step-3 points: a reader that has read train_loss up
  // to 3 and val_loss up to 0 must still get it.
  store_.appendMetrics(run_, {point(1, "train_loss", 1), point(2, "train_loss", 2), point(3, "train_loss", 3)});
  store_.appendMetrics(run_, {point(2, "val_loss", 5), point(4, "train_loss", 4)});
  const auto fresh = store_.metricsSince(run_, std::map<std::string, int64_t>{{"train_loss", 3}, {"val_loss", 0}});
  ASSERT_EQ(fresh.size(), 2u);
  EXPECT_EQ(fresh[0].name, "val_loss");
  EXPECT_EQ(fresh[0].step, 2);
  EXPECT_EQ(fresh[1].name, "train_loss");
  EXPECT_EQ(fresh[1].step, 4);
  EXPECT_EQ(store_.metricsSince(run_, std::map<std::string, int64_t>{}).size(), 5u) << "unknown names: everything";
  EXPECT_TRUE(store_.metricsSince(run_, std::map<std::string, int64_t>{{"train_loss", 4}, {"val_loss", 2}}).empty());
}
