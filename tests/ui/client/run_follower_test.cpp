// RunFollower over a run that grows in the store while it polls: every point arrives exactly once,
// steps in order, evaluations too (also one committed after the steps that follow it), samples
// once each, a poll with nothing new sends nothing, and the final status ends the follower.
#include <QCoreApplication>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "core/store/store.h"
#include "ui/client/run_follower.h"

using namespace temper;
using namespace temper::studio;

namespace {

// What the engine logs for one step (core/engine/run_recorder.cpp's names); values a function of
// the step so the test can check each one where it lands.
std::vector<MetricPoint> stepPoints(int64_t step) {
  const int64_t tokens = step * 256;
  const double wall = static_cast<double>(step) * 0.5;
  return {{step, tokens, wall, "train_loss", 10.0 / static_cast<double>(step)},
          {step, tokens, wall, "lr", 1e-3 * static_cast<double>(step)},
          {step, tokens, wall, "grad_norm", 1.0 + static_cast<double>(step)},
          {step, tokens, wall, "tokens_per_s", 1000.0 + static_cast<double>(step)}};
}

MetricPoint valPoint(int64_t step) { return {step, step * 256, step * 0.5, "val_loss", 3.0 + 1.0 / step}; }

}  // namespace

class RunFollowerTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void growingRunArrivesOnceInOrder() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString db = dir.filePath(QStringLiteral("temper.db"));
    Store store = Store::open(db.toStdString());
    const std::string id = store.createRun({.name = "growing", .config_json = R"({"train":{"max-steps":60}})"});
    // Our own pid: a live process, so the follower keeps polling until the store says finished.
    store.markRunning(id, QCoreApplication::applicationPid());

    RunFollower follower(db, dir.path(), QString::fromStdString(id));
    QVector<EngineEvent> events;
    QVector<int> batch_sizes;
    connect(&follower, &RunChannel::eventsReady, this, [&](const EventBatch& batch) {
      QVERIFY2(batch.malformed_lines.isEmpty(), qPrintable(batch.malformed_lines.join(QLatin1Char('\n'))));
      batch_sizes << static_cast<int>(batch.events.size());
      events += batch.events;
    });
    QSignalSpy ended(&follower, &RunChannel::ended);
    follower.start(3'600'000);  // polls by hand below; only the queued first poll runs
    QTRY_COMPARE(batch_sizes.size(), 1);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, QStringLiteral("run_started"));

    // Batches as the engine commits them: steps 1-7, 8-20 with the eval of step 10, then steps
    // 21-33 and only afterwards the eval of step 30 (committed late), then 34-60 with an eval at 50.
    int64_t next = 1;
    auto appendSteps = [&](int64_t last, std::vector<int64_t> evals) {
      std::vector<MetricPoint> points;
      for (; next <= last; ++next) {
        for (MetricPoint& p : stepPoints(next)) points.push_back(std::move(p));
      }
      for (int64_t e : evals) points.push_back(valPoint(e));
      store.appendMetrics(id, points);
    };
    appendSteps(7, {});
    follower.poll();
    follower.poll();  // nothing new: nothing sent
    QCOMPARE(batch_sizes.size(), 2);
    QCOMPARE(batch_sizes.last(), 7);
    appendSteps(20, {10});
    store.addSample(id, SampleRecord{10, "Once upon", "Once upon a time", 0});
    store.addSample(id, SampleRecord{10, "def f(", "def f(x):", 0});
    follower.poll();
    appendSteps(33, {});
    follower.poll();
    store.appendMetrics(id, {valPoint(30)});
    follower.poll();
    QCOMPARE(batch_sizes.last(), 1);  // only the late eval
    store.addSample(id, SampleRecord{30, "Once upon", "Once upon a hill", 0, R"({"reward":0.5,"rewards/format":1})"});
    appendSteps(60, {50});
    store.finishRun(id, "finished", "reached max-steps");
    follower.poll();
    QCOMPARE(ended.size(), 1);
    QVERIFY(!follower.isActive());
    follower.poll();  // ended: polls nothing more

    // Every step once, in order, with the values written for it.
    QVector<qint64> steps, evals;
    QStringList samples;
    for (const EngineEvent& e : events) {
      if (e.type == QLatin1String("sample")) {
        samples << QStringLiteral("%1: %2")
                       .arg(e.fields.value(QStringLiteral("step")).toInteger())
                       .arg(e.fields.value(QStringLiteral("text")).toString());
      }
      if (e.type == QLatin1String("step")) {
        const qint64 step = e.fields.value(QStringLiteral("step")).toInteger();
        steps << step;
        QCOMPARE(e.fields.value(QStringLiteral("loss")).toDouble(), 10.0 / static_cast<double>(step));
        QCOMPARE(e.fields.value(QStringLiteral("lr")).toDouble(), 1e-3 * static_cast<double>(step));
        QCOMPARE(e.fields.value(QStringLiteral("grad_norm")).toDouble(), 1.0 + static_cast<double>(step));
        QCOMPARE(e.fields.value(QStringLiteral("tokens_per_s")).toDouble(), 1000.0 + static_cast<double>(step));
        QCOMPARE(e.fields.value(QStringLiteral("tokens_seen")).toInteger(), step * 256);
        QCOMPARE(e.fields.value(QStringLiteral("max_steps")).toInteger(), 60);
      } else if (e.type == QLatin1String("eval")) {
        const qint64 step = e.fields.value(QStringLiteral("step")).toInteger();
        evals << step;
        QCOMPARE(e.fields.value(QStringLiteral("val_loss")).toDouble(), 3.0 + 1.0 / static_cast<double>(step));
      }
    }
    QVector<qint64> expected_steps;
    for (qint64 s = 1; s <= 60; ++s) expected_steps << s;
    QCOMPARE(steps, expected_steps);
    QCOMPARE(evals, (QVector<qint64>{10, 30, 50}));
    QCOMPARE(samples, (QStringList{QStringLiteral("10: Once upon a time"), QStringLiteral("10: def f(x):"),
                                   QStringLiteral("30: Once upon a hill")}));
    // A scored sample carries its scores as the live event did; a plain one none.
    QJsonObject scores;
    bool plain_has_scores = false;
    for (const EngineEvent& e : events) {
      if (e.type != QLatin1String("sample")) continue;
      if (e.fields.value(QStringLiteral("step")).toInteger() == 30) {
        scores = e.fields.value(QStringLiteral("scores")).toObject();
      } else {
        plain_has_scores = plain_has_scores || e.fields.contains(QStringLiteral("scores"));
      }
    }
    QCOMPARE(scores, (QJsonObject{{"reward", 0.5}, {"rewards/format", 1}}));
    QVERIFY(!plain_has_scores);
    QCOMPARE(events.last().type, QStringLiteral("run_finished"));
    QCOMPARE(events.last().fields.value(QStringLiteral("step")).toInteger(), 60);
    QCOMPARE(ended.at(0).at(0).value<JobOutcome>().status, QStringLiteral("finished"));
  }

  void resumedStepsAreNotSentAgain() {
    // A resumed run re-logs the steps after its checkpoint with new values; the follower has shown
    // those steps already and must not append them to the curve a second time.
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("temper.db"));
    Store store = Store::open(db.toStdString());
    const std::string id = store.createRun({.name = "resumed"});
    store.markRunning(id, QCoreApplication::applicationPid());
    std::vector<MetricPoint> first;
    for (int64_t s = 1; s <= 10; ++s) first.push_back({s, s, 0.0, "train_loss", 1.0});
    store.appendMetrics(id, first);
    RunFollower follower(db, dir.path(), QString::fromStdString(id));
    QVector<qint64> steps;
    connect(&follower, &RunChannel::eventsReady, this, [&](const EventBatch& batch) {
      for (const EngineEvent& e : batch.events) {
        if (e.type == QLatin1String("step")) steps << e.fields.value(QStringLiteral("step")).toInteger();
      }
    });
    follower.start(3'600'000);
    QTRY_COMPARE(steps.size(), 10);
    std::vector<MetricPoint> resumed;
    for (int64_t s = 6; s <= 12; ++s) resumed.push_back({s, s, 0.0, "train_loss", 2.0});
    store.appendMetrics(id, resumed);
    follower.poll();
    QCOMPARE(steps, (QVector<qint64>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  }

  void readNewReturnsTheHistoryWithoutFollowing() {
    // What a run view attaching to a run in progress reads: everything so far, once, as events,
    // without start(), without signals and without the run's end.
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("temper.db"));
    Store store = Store::open(db.toStdString());
    const std::string id = store.createRun({.name = "read", .config_json = R"({"train":{"max-steps":60}})"});
    store.markRunning(id, QCoreApplication::applicationPid());
    std::vector<MetricPoint> points;
    for (int64_t s = 1; s <= 20; ++s) {
      for (MetricPoint& p : stepPoints(s)) points.push_back(std::move(p));
    }
    points.push_back(valPoint(10));
    store.appendMetrics(id, points);
    store.addSample(id, SampleRecord{10, "Once upon", "Once upon a time", 0});
    store.addCheckpoint(id, CheckpointRecord{20, 20 * 256, "/runs/read/checkpoints/step-20", 3.1, 0});
    store.finishRun(id, "finished", "reached max-steps");

    RunFollower reader(db, dir.path(), QString::fromStdString(id));
    QSignalSpy batches(&reader, &RunChannel::eventsReady);
    QSignalSpy ended(&reader, &RunChannel::ended);
    const EventBatch history = reader.readNew();
    QVERIFY(history.malformed_lines.isEmpty());
    QStringList types;
    for (const EngineEvent& e : history.events) types << e.type;
    QCOMPARE(types.first(), QStringLiteral("run_started"));
    QCOMPARE(types.count(QStringLiteral("step")), 20);
    QCOMPARE(types.count(QStringLiteral("eval")), 1);
    QCOMPARE(types.count(QStringLiteral("sample")), 1);
    QCOMPARE(types.last(), QStringLiteral("checkpoint_saved"));
    QVERIFY(reader.readNew().isEmpty());  // read once
    QCoreApplication::processEvents();
    QCOMPARE(batches.size(), 0);
    QCOMPARE(ended.size(), 0);

    // A store that cannot be read says so in words.
    RunFollower missing(dir.filePath(QStringLiteral("absent.db")), dir.path(), QStringLiteral("x"));
    const EventBatch nothing = missing.readNew();
    QVERIFY(nothing.events.isEmpty());
    QCOMPARE(nothing.malformed_lines.size(), 1);
    QVERIFY(nothing.malformed_lines.first().startsWith(QStringLiteral("store: ")));
  }
};

QTEST_GUILESS_MAIN(RunFollowerTest)
#include "run_follower_test.moc"
