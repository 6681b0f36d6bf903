// RunHistoryModel and RunFilterProxy over a store filled by hand: figures, sorting, filters, edits
// written through to the store, delete with the run folder; QAbstractItemModelTester on both.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>

#include "core/store/store.h"
#include "ui/client/run_filter_proxy.h"
#include "ui/client/run_history_model.h"

#include "client_test_support.h"

using namespace temper;
using namespace temper::studio;

class RunHistoryModelTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString db_;
  std::string a_, b_, c_;

 private Q_SLOTS:
  void init() {
    QVERIFY(dir_.isValid());
    QDir(dir_.path()).removeRecursively();
    QDir().mkpath(dir_.path());
    db_ = dir_.filePath("temper.db");
    Store store = Store::open(db_.toStdString());
    // a: finished, val losses 2.5 (step 10), 1.75 (step 20), 2.0 (step 30): best 1.75, last 2.0.
    a_ = store.createRun({.name = "alpha",
                          .method = "pretrain",
                          .base_model = "scratch",
                          .dataset = "/data/shakespeare",
                          .tags = "baseline"});
    std::vector<MetricPoint> points;
    for (int s = 1; s <= 30; ++s) points.push_back({s, s * 100, s * 0.5, "train_loss", 4.0 - s * 0.05});
    points.push_back({10, 1000, 5.0, "val_loss", 2.5});
    points.push_back({20, 2000, 10.0, "val_loss", 1.75});
    points.push_back({30, 3000, 15.0, "val_loss", 2.0});
    store.appendMetrics(a_, points);
    store.markRunning(a_, 1);
    store.finishRun(a_, "finished", "");
    // b: failed, no eval.
    b_ = store.createRun({.name = "beta", .method = "sft", .dataset = "/data/chat"});
    store.appendMetrics(b_, {{1, 64, 0.2, "train_loss", 3.0}});
    store.markRunning(b_, 1);
    store.finishRun(b_, "failed", "NaN loss at step 2");
    // c: created only, with a run folder on disk.
    c_ = store.createRun({.name = "gamma", .method = "pretrain"});
    QDir().mkpath(dir_.filePath(QString::fromStdString("runs/" + c_ + "/checkpoints")));
  }

  void figuresComeFromTheStore() {
    RunHistoryModel model(db_);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.reload());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(RunHistoryModel::kColumnCount));
    const int a = model.rowOf(QString::fromStdString(a_));
    const RunSummary& s = model.summaryAt(a);
    QCOMPARE(s.best_val_loss, 1.75);
    QCOMPARE(s.last_val_loss, 2.0);
    QCOMPARE(s.steps, 30);
    QCOMPARE(s.tokens, 3000);
    QCOMPARE(s.train_seconds, 15.0);
    QCOMPARE(model.index(a, RunHistoryModel::kBestValLoss).data().toString(), QStringLiteral("1.7500"));
    QCOMPARE(model.index(a, RunHistoryModel::kDuration).data().toString(), QStringLiteral("15s"));
    QCOMPARE(model.index(a, RunHistoryModel::kDataset).data().toString(), QStringLiteral("shakespeare"));
    QCOMPARE(model.index(a, RunHistoryModel::kDataset).data(Qt::ToolTipRole).toString(),
             QStringLiteral("/data/shakespeare"));
    const int b = model.rowOf(QString::fromStdString(b_));
    QVERIFY(std::isnan(model.summaryAt(b).best_val_loss));
    QVERIFY(model.index(b, RunHistoryModel::kBestValLoss).data().isNull());
    QCOMPARE(model.index(b, RunHistoryModel::kStatus).data(Qt::ToolTipRole).toString(),
             QStringLiteral("NaN loss at step 2"));
    // The per-run path (used for live rows) agrees with the bulk query.
    Store store = Store::openReadOnly(db_.toStdString());
    RunSummary single = loadRunSummary(store, *store.findRun(a_));
    QCOMPARE(single.best_val_loss, s.best_val_loss);
    QCOMPARE(single.last_val_loss, s.last_val_loss);
    QCOMPARE(single.steps, s.steps);
  }

  void sortAndFilter() {
    RunHistoryModel model(db_);
    QVERIFY(model.reload());
    RunFilterProxy proxy;
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&model);
    proxy.sort(RunHistoryModel::kSteps, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, RunHistoryModel::kName).data().toString(), QStringLiteral("alpha"));
    QCOMPARE(proxy.index(2, RunHistoryModel::kName).data().toString(), QStringLiteral("gamma"));
    // Missing losses sort after real ones.
    proxy.sort(RunHistoryModel::kBestValLoss, Qt::AscendingOrder);
    QCOMPARE(proxy.index(0, RunHistoryModel::kName).data().toString(), QStringLiteral("alpha"));
    proxy.setStatusFilter(QStringLiteral("failed"));
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, RunHistoryModel::kName).data().toString(), QStringLiteral("beta"));
    proxy.setStatusFilter({});
    proxy.setMethodFilter(QStringLiteral("pretrain"));
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setTextFilter(QStringLiteral("SHAKESPEARE base"));  // dataset and tag words, any case
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setTextFilter(QStringLiteral("shakespeare nothing"));
    QCOMPARE(proxy.rowCount(), 0);
    proxy.setMethodFilter({});
    proxy.setTextFilter(QString::fromStdString(a_.substr(0, 15)));  // by id
    QVERIFY(proxy.rowCount() >= 1);
  }

  void editsAreWrittenThrough() {
    RunHistoryModel model(db_);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.reload());
    const int a = model.rowOf(QString::fromStdString(a_));
    QVERIFY(model.flags(model.index(a, RunHistoryModel::kTags)) & Qt::ItemIsEditable);
    QVERIFY(!(model.flags(model.index(a, RunHistoryModel::kSteps)) & Qt::ItemIsEditable));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(model.setData(model.index(a, RunHistoryModel::kTags), QStringLiteral(" baseline ,, fast ,")));
    QVERIFY(model.setData(model.index(a, RunHistoryModel::kNotes), QStringLiteral("lr too high?\nretry")));
    QVERIFY(model.setData(model.index(a, RunHistoryModel::kName), QStringLiteral("  alpha\n two ")));
    QVERIFY(!model.setData(model.index(a, RunHistoryModel::kSteps), 5));
    QCOMPARE(changed.size(), 3);
    Store store = Store::openReadOnly(db_.toStdString());
    auto run = store.findRun(a_);
    QCOMPARE(QString::fromStdString(run->tags), QStringLiteral("baseline, fast"));
    QCOMPARE(QString::fromStdString(run->notes), QStringLiteral("lr too high?\nretry"));
    QCOMPARE(QString::fromStdString(run->name), QStringLiteral("alpha two"));
    QVERIFY(model.renameRun(QString::fromStdString(b_), QStringLiteral("beta 2")));
    QCOMPARE(QString::fromStdString(store.findRun(b_)->name), QStringLiteral("beta 2"));
  }

  void deleteRemovesRowsAndFolder() {
    RunHistoryModel model(db_);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.reload());
    const QString c = QString::fromStdString(c_);
    const QString folder = dir_.filePath("runs/" + c);
    QVERIFY(QFileInfo::exists(folder));
    QString error;
    QVERIFY2(model.deleteRun(c, &error), qPrintable(error));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(c), -1);
    QVERIFY(!QFileInfo::exists(folder));
    QVERIFY(!Store::openReadOnly(db_.toStdString()).findRun(c_));
    QVERIFY(!model.deleteRun(c, &error));

    // A live run (this process's pid, status running) is refused.
    {
      Store store = Store::open(db_.toStdString());
      store.markRunning(a_, QCoreApplication::applicationPid());
    }
    QVERIFY(model.refreshRun(QString::fromStdString(a_)));
    QVERIFY(!model.deleteRun(QString::fromStdString(a_), &error));
    QVERIFY(error.contains(QStringLiteral("still training")));
  }

  void refreshRunAddsUpdatesAndRemoves() {
    RunHistoryModel model(db_);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.reload());
    std::string d;
    {
      Store store = Store::open(db_.toStdString());
      d = store.createRun({.name = "delta"});
      store.appendMetrics(a_, {{31, 3100, 15.5, "train_loss", 1.0}});
    }
    QVERIFY(model.refreshRun(QString::fromStdString(d)));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.rowOf(QString::fromStdString(d)), 0);
    QVERIFY(model.refreshRun(QString::fromStdString(a_)));
    QCOMPARE(model.summaryAt(model.rowOf(QString::fromStdString(a_))).steps, 31);
    Store::open(db_.toStdString()).deleteRun(d);
    QVERIFY(model.refreshRun(QString::fromStdString(d)));
    QCOMPARE(model.rowCount(), 3);
  }

  void startReloadReadsOnAWorker() {
    RunHistoryModel model(db_);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&model, &RunHistoryModel::loaded);
    model.startReload();
    QVERIFY(model.isLoading());
    QVERIFY(loaded.wait(10000));
    QVERIFY(!model.isLoading());
    QCOMPARE(loaded.size(), 1);
    QCOMPARE(loaded.takeFirst().at(0).toBool(), true);
    QCOMPARE(model.rowCount(), 3);
    const int a = model.rowOf(QString::fromStdString(a_));
    QCOMPARE(model.summaryAt(a).best_val_loss, 1.75);
    QCOMPARE(model.summaryAt(a).steps, 30);
    // An edit and a refresh made while it reads survive its (possibly older) snapshot.
    std::string d;
    model.startReload();
    QVERIFY(model.renameRun(QString::fromStdString(a_), QStringLiteral("renamed")));
    {
      Store store = Store::open(db_.toStdString());
      d = store.createRun({.name = "delta"});
    }
    QVERIFY(model.refreshRun(QString::fromStdString(d)));
    model.startReload();  // asked again while reading: one more read after it, one loaded()
    QVERIFY(loaded.wait(10000));
    QCOMPARE(loaded.size(), 1);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(model.rowOf(QString::fromStdString(a_)), RunHistoryModel::kName).data().toString(),
             QStringLiteral("renamed"));
    // A store that cannot be opened: loaded(false, why), the rows kept.
    RunHistoryModel broken(QStringLiteral("/proc/no-such-dir/temper.db"));
    QSignalSpy failed(&broken, &RunHistoryModel::loaded);
    broken.startReload();
    QTRY_COMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toBool(), false);
    QVERIFY(!failed.at(0).at(1).toString().isEmpty());
  }

  void reloadOfTenThousandRunsKeepsTheEventLoopTurning() {
    // 10,000 runs, each with a few points: the read takes long enough to stall a window if done on
    // its thread. The same rows come back as a blocking reload reads.
    constexpr int kRuns = 10000;
    const QString db = dir_.filePath("big.db");
    {
      Store store = Store::open(db.toStdString());
      for (int i = 0; i < kRuns; ++i) {
        const std::string id = store.createRun(
            {.name = "run " + std::to_string(i), .method = "pretrain", .dataset = "/data/d" + std::to_string(i % 7)});
        store.appendMetrics(id, {{1, 512, 0.1, "train_loss", 5.0 + i * 1e-4},
                                 {10, 5120, 1.0, "train_loss", 4.0 + i * 1e-4},
                                 {10, 5120, 1.0, "val_loss", 4.5 - (i % 13) * 1e-3}});
      }
    }
    RunHistoryModel blocking(db);
    RunFilterProxy blocking_proxy;
    blocking_proxy.setSourceModel(&blocking);
    blocking_proxy.sort(RunHistoryModel::kCreated, Qt::DescendingOrder);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(blocking.reload());
    const qint64 blocking_ms = clock.elapsed();  // all of it on this thread

    RunHistoryModel model(db);
    RunFilterProxy proxy;  // as the Runs page shows it: sorted, so the reset re-sorts here
    proxy.setSourceModel(&model);
    proxy.sort(RunHistoryModel::kCreated, Qt::DescendingOrder);
    QSignalSpy loaded(&model, &RunHistoryModel::loaded);
    testing::EventLoopMeter meter;
    meter.start();
    model.startReload();
    QVERIFY(loaded.wait(60000));
    meter.stop();
    QVERIFY2(meter.ticks() > 0, "the event loop must turn while the store is read");
    QCOMPARE(loaded.at(0).at(0).toBool(), true);
    QCOMPARE(model.rowCount(), kRuns);
    QCOMPARE(proxy.rowCount(), kRuns);
    for (int row = 0; row < kRuns; ++row) {
      for (int column = 0; column < RunHistoryModel::kColumnCount; ++column) {
        QCOMPARE(proxy.index(row, column).data(), blocking_proxy.index(row, column).data());
      }
    }
    qInfo(
        "10,000 runs: blocking reload %lld ms on the GUI thread; startReload %lld ms to loaded, %d timer ticks "
        "meanwhile, longest GUI-thread stall %lld ms",
        blocking_ms, meter.elapsedMs(), meter.ticks(), meter.longestGapMs());
  }

  void emptyWorkspaceOpens() {
    QTemporaryDir empty;
    RunHistoryModel model(empty.filePath("new/temper.db"));
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.reload());
    QCOMPARE(model.rowCount(), 0);
  }
};

QTEST_GUILESS_MAIN(RunHistoryModelTest)
#include "run_history_model_test.moc"
