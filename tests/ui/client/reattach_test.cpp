// Runs outlive the studio: a run started by one RunManager keeps training after that manager is
// destroyed; a new manager finds it in the store and follows it; a run whose engine died while no
// studio was watching is marked failed, but only when no engine holds the workspace lock.
#include <signal.h>
#include <unistd.h>

#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "client_test_support.h"
#include "core/store/store.h"
#include "core/store/workspace_lock.h"
#include "ui/client/process_probe.h"
#include "ui/client/run_manager.h"

using namespace temper;
using namespace temper::studio;
using namespace temper::studio::testing;

namespace {

// The pid of a process that has exited (and been reaped): nothing lives there any more.
qint64 deadPid() {
  QProcess p;
  p.start(QStringLiteral("/bin/true"));
  p.waitForFinished();
  return p.processId() > 0 ? p.processId() : 999999;
}

}  // namespace

class ReattachTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;

 private Q_SLOTS:
  void deadRunIsMarkedFailed() {
    const QString workspace = dir_.filePath("dead");
    QDir().mkpath(workspace);
    std::string dead, finished;
    const qint64 pid = deadPid();
    {
      Store store = Store::open((workspace + "/temper.db").toStdString());
      dead = store.createRun({.name = "orphan"});
      store.markRunning(dead, pid);
      finished = store.createRun({.name = "done"});
      store.markRunning(finished, pid);
      store.finishRun(finished, "finished", "");
    }
    QVERIFY(!processAlive(pid));

    // While an engine holds the workspace lock nothing is marked: the studio cannot be sure.
    {
      WorkspaceLock lock = WorkspaceLock::acquire(workspace.toStdString(), "another engine");
      QVERIFY(workspaceLockHeld(workspace));  // flock is per open file: our own second try fails too
      RunManager manager(workspace, {});
      const auto report = manager.reattach();
      QCOMPARE(report.undecided, QStringList{QString::fromStdString(dead)});
      QVERIFY(report.marked_failed.isEmpty());
      QCOMPARE(
          QString::fromStdString(Store::openReadOnly((workspace + "/temper.db").toStdString()).findRun(dead)->status),
          QStringLiteral("running"));
    }

    RunManager manager(workspace, {});
    const auto report = manager.reattach();
    QCOMPARE(report.marked_failed, QStringList{QString::fromStdString(dead)});
    QVERIFY(report.followed.isEmpty());
    Store store = Store::openReadOnly((workspace + "/temper.db").toStdString());
    auto run = store.findRun(dead);
    QCOMPARE(QString::fromStdString(run->status), QStringLiteral("failed"));
    QCOMPARE(QString::fromStdString(run->error_message), RunManager::deadRunReason());
    QCOMPARE(QString::fromStdString(store.findRun(finished)->status), QStringLiteral("finished"));
    // Nothing left to do the second time.
    QVERIFY(manager.reattach().marked_failed.isEmpty());
  }

  void ownChildIsNotFollowedTwice() {
    // A child of this manager that has marked its run running but not yet printed the id.
    const QString workspace = dir_.filePath("own");
    QDir().mkpath(workspace);
    const QString sleeper = writeScript(QDir(dir_.path()), "sleeper.sh", "sleep 30\n");
    RunManager manager(workspace, sleeper);
    EngineJob* job = manager.startJob({"train"});
    QTRY_VERIFY_WITH_TIMEOUT(job->pid() > 0, 10000);
    {
      Store store = Store::open((workspace + "/temper.db").toStdString());
      store.markRunning(store.createRun({.name = "mine"}), job->pid());
    }
    WorkspaceLock lock = WorkspaceLock::acquire(workspace.toStdString(), "the child, as far as the test is concerned");
    const auto report = manager.reattach();
    QVERIFY(report.followed.isEmpty());
    QVERIFY(report.marked_failed.isEmpty());
    QCOMPARE(manager.liveCount(), 1);
    job->setKillAfterMs(100);
    job->cancel();
    QTRY_COMPARE_WITH_TIMEOUT(manager.liveCount(), 0, 10000);
  }

  void liveRunIsFollowedAfterRestart() {
    const QString engine = realEngine();
    if (engine.isEmpty()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    const QDir dir(dir_.filePath("live"));
    QDir().mkpath(dir.path());
    QFile corpus(dir.filePath("corpus.txt"));
    QVERIFY(corpus.open(QIODevice::WriteOnly));
    corpus.write(tinyCorpus());
    corpus.close();
    const QString workspace = dir.filePath("ws");
    auto runTool = [&](const QStringList& args) {
      QProcess p;
      p.start(engine, args);
      return p.waitForFinished(60000) && p.exitCode() == 0;
    };
    QVERIFY(runTool({"tokenizer", "train", "--input", corpus.fileName(), "--vocab-size", "60", "--model-type", "char",
                     "--out", dir.filePath("tok.model")}));
    QVERIFY(runTool({"data", "prepare", "--tokenizer", dir.filePath("tok.model"), "--input", corpus.fileName(), "--out",
                     dir.filePath("data")}));

    // Studio #1 starts a long run, sees it begin, and closes (keeping the run).
    QString run_id;
    qint64 pid = 0;
    {
      RunManager first(workspace, engine);
      EngineJob* job =
          first.startJob(EngineJob::trainArgs({}, endlessTinyTrainArgs(dir.filePath("data"), 200, 4, 1000000)));
      QTRY_VERIFY_WITH_TIMEOUT(!job->runId().isEmpty(), 60000);
      run_id = job->runId();
      pid = job->pid();
    }
    QVERIFY(pid > 0);
    // Whatever fails below, the detached engine must not train on after the test (SIGKILL: a
    // clean stop is what the test itself checks).
    const auto stop_engine = qScopeGuard([pid] {
      if (processAlive(pid)) ::kill(static_cast<pid_t>(pid), SIGKILL);
    });
    // The run goes on without its studio: the store's heartbeat keeps moving.
    auto heartbeat = [&] {
      return Store::openReadOnly((workspace + "/temper.db").toStdString()).findRun(run_id.toStdString())->heartbeat_at;
    };
    const double beat = heartbeat();
    QTRY_VERIFY_WITH_TIMEOUT(heartbeat() > beat, 10000);
    QVERIFY(processAlive(pid));
    QVERIFY(workspaceLockHeld(workspace));

    // Studio #2 finds it and follows it from the store.
    RunManager second(workspace, engine);
    QSignalSpy added(&second, &RunManager::channelAdded);
    const auto report = second.reattach(200);
    QCOMPARE(report.followed, QStringList{run_id});
    QCOMPARE(added.size(), 1);
    QCOMPARE(second.liveCount(), 1);
    RunChannel* channel = second.channel(run_id);
    QVERIFY(channel);
    QVector<EngineEvent> events;
    JobOutcome outcome;
    bool ended = false;
    connect(channel, &RunChannel::eventsReady, this, [&](const EventBatch& b) { events += b.events; });
    connect(channel, &RunChannel::ended, this, [&](const JobOutcome& o) {
      outcome = o;
      ended = true;
    });
    // New steps keep arriving, in order, with the engine's keys.
    QTRY_VERIFY_WITH_TIMEOUT(events.size() > 2, 10000);
    QCOMPARE(events.first().type, QStringLiteral("run_started"));
    QCOMPARE(events.first().fields.value("config").toObject().value("max-steps").toInteger(), 1000000);
    qint64 last = 0;
    int steps = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        std::count_if(events.begin(), events.end(), [](const EngineEvent& e) { return e.type == "step"; }) > 200,
        20000);
    for (const EngineEvent& e : events) {
      if (e.type != QLatin1String("step")) continue;
      QVERIFY(e.integer("step") > last);
      QVERIFY(e.number("loss", -1) > 0);
      QCOMPARE(e.integer("max_steps"), 1000000);
      last = e.integer("step");
      ++steps;
    }
    QVERIFY(std::any_of(events.begin(), events.end(), [](const EngineEvent& e) { return e.type == "eval"; }));

    // Cancel through the follower: SIGTERM to the engine's pid, the store then says cancelled.
    channel->cancel();
    QTRY_VERIFY_WITH_TIMEOUT(ended, 30000);
    QCOMPARE(outcome.status, QStringLiteral("cancelled"));
    QCOMPARE(events.last().type, QStringLiteral("run_cancelled"));
    QCOMPARE(second.liveCount(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!processAlive(pid), 10000);
  }
};

QTEST_GUILESS_MAIN(ReattachTest)
#include "reattach_test.moc"
