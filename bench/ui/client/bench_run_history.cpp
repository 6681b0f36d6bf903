// Benchmark (not a test): how long the run history takes to open for N runs (issue 4: 10,000 runs
// in <= 300 ms). Builds a store of N finished runs with a realistic handful of metrics each, then
// times RunHistoryModel::reload() and a sort by best validation loss; prints the median of 5.
//   bench_run_history [runs=10000] [steps_per_run=20] [config_bytes=0]
// config_bytes pads each run's config_json to about that size: the engine stores every train key
// there, ~1.7 KB a run, which the history never shows but whose pages a scan of runs still reads.
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/store/store.h"
#include "ui/client/run_filter_proxy.h"
#include "ui/client/run_history_model.h"

using namespace temper;

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  const int runs = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int steps = argc > 2 ? std::atoi(argv[2]) : 20;
  const int config_bytes = argc > 3 ? std::atoi(argv[3]) : 0;
  const std::string config =
      config_bytes > 0 ? R"({"train":{"padding":")" + std::string(static_cast<size_t>(config_bytes), 'x') + R"("}})"
                       : std::string();
  QTemporaryDir dir;
  const std::string db = dir.filePath(QStringLiteral("temper.db")).toStdString();
  QElapsedTimer build_timer;  // the engine's write path: createRun, appendMetrics, markRunning, finishRun
  build_timer.start();
  {
    Store store = Store::open(db);
    for (int i = 0; i < runs; ++i) {
      std::string id = store.createRun({.name = "run " + std::to_string(i),
                                        .method = "pretrain",
                                        .base_model = "scratch",
                                        .dataset = "/data/d" + std::to_string(i % 7),
                                        .config_json = config});
      std::vector<MetricPoint> points;
      for (int s = 1; s <= steps; ++s) {
        for (const char* name : {"train_loss", "lr", "grad_norm", "tokens_per_s"}) {
          points.push_back({s, s * 512, s * 0.1, name, 5.0 / s + i * 1e-4});
        }
        if (s % 10 == 0) points.push_back({s, s * 512, s * 0.1, "val_loss", 5.5 / s + (i % 13) * 1e-3});
      }
      store.appendMetrics(id, points);
      store.markRunning(id, 1);
      store.finishRun(id, "finished", "");
    }
  }
  const qint64 build_ms = build_timer.elapsed();
  std::vector<qint64> reload_ms, sort_ms;
  for (int round = 0; round < 5; ++round) {
    studio::RunHistoryModel model(QString::fromStdString(db));
    QElapsedTimer timer;
    timer.start();
    QString error;
    if (!model.reload(&error)) {
      std::fprintf(stderr, "reload failed: %s\n", qPrintable(error));
      return 1;
    }
    reload_ms.push_back(timer.elapsed());
    studio::RunFilterProxy proxy;
    proxy.setSourceModel(&model);
    timer.restart();
    proxy.sort(studio::RunHistoryModel::kBestValLoss);
    sort_ms.push_back(timer.elapsed());
    if (model.rowCount() != runs) return 1;
  }
  std::sort(reload_ms.begin(), reload_ms.end());
  std::sort(sort_ms.begin(), sort_ms.end());
  std::printf(
      "runs %d, %d steps each, config %d bytes: reload median %lld ms (min %lld, max %lld); sort by best val loss "
      "median %lld ms; store written in %lld ms\n",
      runs, steps, config_bytes, static_cast<long long>(reload_ms[2]), static_cast<long long>(reload_ms[0]),
      static_cast<long long>(reload_ms[4]), static_cast<long long>(sort_ms[2]), static_cast<long long>(build_ms));
  return 0;
}
