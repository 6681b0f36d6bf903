// The engine writes while the studio reads: a read-only Store on another thread must never see
// SQLITE_BUSY, must see committed batches whole, and must see the counts only grow.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "core/store/store.h"
#include "store_test_support.h"

using namespace temper;
using namespace temper::store_test;

TEST(StoreConcurrency, ReaderNeverBlocksWhileWriterAppendsBatches) {
  constexpr int kBatches = 3000;
  const std::vector<std::string> kNames{"loss", "lr", "grad_norm", "tokens_per_s"};
  TempDir dir;
  auto path = dir / "temper.db";
  std::string run = Store::open(path).createRun(NewRun{.name = "concurrent"});

  std::atomic<bool> writer_done{false};
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  auto record = [&](const std::string& what) {
    std::lock_guard lock(errors_mutex);
    errors.push_back(what);
  };

  std::thread writer([&] {
    try {
      Store store = Store::open(path);  // its own connection, as the engine has
      store.markRunning(run, 1);
      for (int step = 1; step <= kBatches; ++step) {
        std::vector<MetricPoint> batch;
        for (const auto& name : kNames) batch.push_back({step, step * 256, step * 0.01, name, 1.0 / step});
        store.appendMetrics(run, batch);
        if (step % 100 == 0) store.heartbeat(run);
      }
    } catch (const std::exception& e) {
      record(std::string("writer: ") + e.what());
    }
    writer_done = true;
  });

  size_t reads = 0;
  size_t growth_seen = 0;  // how often a read saw more than the previous one
  std::thread reader([&] {
    try {
      Store store = Store::openReadOnly(path);
      size_t previous = 0;
      for (bool last_round = false; !last_round;) {
        last_round = writer_done.load();  // one more read after the writer finished
        size_t count = store.metrics(run, "loss").size();
        if (count < previous) {
          record("count went down from " + std::to_string(previous) + " to " + std::to_string(count));
        }
        if (count > previous) ++growth_seen;
        previous = count;
        // One statement, one snapshot: every name must be at the same step (batches are atomic).
        auto last = store.lastMetrics(run);
        if (!last.empty()) {
          int64_t step = last.begin()->second.step;
          for (const auto& [name, latest] : last) {
            if (latest.step != step) record("torn batch: " + name + " at " + std::to_string(latest.step));
          }
          if (last.size() != kNames.size()) record("partial batch: " + std::to_string(last.size()) + " names");
        }
        ++reads;
      }
      if (previous != static_cast<size_t>(kBatches)) record("final count " + std::to_string(previous));
    } catch (const std::exception& e) {
      record(std::string("reader: ") + e.what());  // SQLITE_BUSY would surface here as Error(Busy)
    }
  });

  writer.join();
  reader.join();
  for (const auto& error : errors) ADD_FAILURE() << error;
  EXPECT_GT(reads, 10u);
  EXPECT_GE(growth_seen, 3u) << "the reader should have watched the run grow, not only seen the end";

  Store after = Store::openReadOnly(path);
  EXPECT_EQ(after.metrics(run).size(), kBatches * kNames.size());
  EXPECT_EQ(after.findRun(run)->status, "running");
}
