// EngineJob against fake engines (shell scripts that print events, then crash, get killed, or
// stop on SIGTERM) and against the real `temper` doing a tiny run, a cancel and a resume.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "client_test_support.h"
#include "core/store/store.h"
#include "fake_engines.h"
#include "ui/client/engine_job.h"
#include "ui/client/run_history_model.h"
#include "ui/client/run_manager.h"

using namespace temper::studio;
using namespace temper::studio::testing;

namespace {

struct Collected {
  QVector<EngineEvent> events;
  QStringList malformed;
  int batches = 0;
  bool ended = false;
  JobOutcome outcome;
};

void collect(RunChannel* channel, Collected* into) {
  QObject::connect(channel, &RunChannel::eventsReady, channel, [into](const EventBatch& batch) {
    into->events += batch.events;
    into->malformed += batch.malformed_lines;
    ++into->batches;
  });
  QObject::connect(channel, &RunChannel::ended, channel, [into](const JobOutcome& outcome) {
    into->ended = true;
    into->outcome = outcome;
  });
}

QStringList typesOf(const QVector<EngineEvent>& events) {
  QStringList types;
  for (const auto& e : events) types << e.type;
  return types;
}

}  // namespace

class EngineJobTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;

  QString fake(const QString& name, const QByteArray& body) { return writeScript(QDir(dir_.path()), name, body); }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void crashingChildIsAFailedRunWithItsStderr() {
    EngineJob job(fake("crash.sh", fakeEngineEvents() + "exit 3\n"), dir_.path());
    Collected got;
    collect(&job, &got);
    job.start({"train"});
    QTRY_VERIFY_WITH_TIMEOUT(got.ended, 10000);
    QCOMPARE(got.outcome.status, QStringLiteral("failed"));
    QCOMPARE(got.outcome.exit_code, 3);
    QVERIFY(!got.outcome.crashed);
    QCOMPARE(got.outcome.run_id, QStringLiteral("fake-1"));
    QCOMPARE(got.outcome.stderr_tail.last(), QStringLiteral("fatal: CUDA out of memory (tried to allocate 2.00 GiB)"));
    QVERIFY2(got.outcome.reason.contains(QStringLiteral("code 3")), qPrintable(got.outcome.reason));
    QVERIFY2(got.outcome.reason.contains(QStringLiteral("out of memory")), qPrintable(got.outcome.reason));
    QCOMPARE(got.events.size(), 201);
    QCOMPARE(got.events.last().integer("step"), 200);
    QCOMPARE(got.malformed, QStringList{"not an event"});
    // 201 lines, coalesced: far fewer deliveries than lines.
    QVERIFY2(got.batches < 20, qPrintable(QString::number(got.batches)));
    // The job passes the workspace and --events before the command.
    QCOMPARE(job.arguments().mid(0, 4), (QStringList{"--workspace", dir_.path(), "--events", "train"}));
  }

  void killedChildIsAFailedRun() {
    EngineJob job(fake("killed.sh", fakeEngineEvents() + "kill -9 $$\n"), dir_.path());
    Collected got;
    collect(&job, &got);
    job.start({"train"});
    QTRY_VERIFY_WITH_TIMEOUT(got.ended, 10000);
    QCOMPARE(got.outcome.status, QStringLiteral("failed"));
    QVERIFY(got.outcome.crashed);
    QCOMPARE(got.outcome.exit_code, -1);
    QVERIFY(got.outcome.reason.contains(QStringLiteral("killed or crashed")));
    QVERIFY(got.outcome.stderr_tail.contains(QStringLiteral("loading model")));
    QCOMPARE(got.events.size(), 201);
  }

  void finalEventDecidesTheStatus() {
    EngineJob job(fake("ok.sh", fakeEngineEvents() + finishedLine()), dir_.path());
    Collected got;
    collect(&job, &got);
    job.start({"train"});
    QTRY_VERIFY_WITH_TIMEOUT(got.ended, 10000);
    QCOMPARE(got.outcome.status, QStringLiteral("finished"));
    QCOMPARE(got.outcome.reason, QStringLiteral("reached max-steps"));
    QCOMPARE(got.events.last().type, QStringLiteral("run_finished"));
  }

  void errorEventIsTheReason() {
    EngineJob job(fake("error.sh", errorEngine()), dir_.path());
    Collected got;
    collect(&job, &got);
    job.start({"train"});
    QTRY_VERIFY_WITH_TIMEOUT(got.ended, 10000);
    QCOMPARE(got.outcome.status, QStringLiteral("failed"));
    QCOMPARE(got.outcome.reason, QStringLiteral("`lr` must be positive"));
    QCOMPARE(got.outcome.exit_code, 2);
  }

  void cancelIsSigtermThenKill() {
    // An engine that stops cleanly on SIGTERM, as the real one does.
    EngineJob job(fake("polite.sh", politeEngine()), dir_.path());
    Collected got;
    collect(&job, &got);
    QSignalSpy id_spy(&job, &RunChannel::runIdKnown);
    job.start({"train"});
    QTRY_COMPARE_WITH_TIMEOUT(job.runId(), QStringLiteral("fake-2"), 10000);
    QCOMPARE(id_spy.size(), 1);
    job.cancel();
    QTRY_VERIFY_WITH_TIMEOUT(got.ended, 10000);
    QCOMPARE(got.outcome.status, QStringLiteral("cancelled"));
    QCOMPARE(got.outcome.exit_code, 130);

    // One that ignores SIGTERM is killed after the timeout and reported as failed.
    EngineJob stubborn(fake("stubborn.sh",
                            "trap '' TERM\necho '{\"v\":1,\"type\":\"run_started\",\"run_id\":\"fake-3\",\"t\":1}'\n"
                            "while true; do sleep 0.05; done\n"),
                       dir_.path());
    Collected got2;
    collect(&stubborn, &got2);
    stubborn.setKillAfterMs(300);
    stubborn.start({"train"});
    QTRY_COMPARE_WITH_TIMEOUT(stubborn.runId(), QStringLiteral("fake-3"), 10000);
    QElapsedTimer clock;
    clock.start();
    stubborn.cancel();
    QTRY_VERIFY_WITH_TIMEOUT(got2.ended, 10000);
    QVERIFY(clock.elapsed() >= 250);
    QCOMPARE(got2.outcome.status, QStringLiteral("failed"));
    QVERIFY(got2.outcome.crashed);
    QVERIFY(got2.outcome.reason.contains(QStringLiteral("did not stop in time")));
  }

  void missingEngineIsReportedNotThrown() {
    EngineJob job(dir_.filePath("no-such-temper"), dir_.path());
    Collected got;
    collect(&job, &got);
    job.start({"train"});
    QTRY_VERIFY_WITH_TIMEOUT(got.ended, 10000);
    QCOMPARE(got.outcome.status, QStringLiteral("failed"));
    QVERIFY2(got.outcome.reason.contains(QStringLiteral("no-such-temper")), qPrintable(got.outcome.reason));

    EngineJob unset(QString(), dir_.path());
    Collected got2;
    collect(&unset, &got2);
    unset.start({"train"});
    QTRY_VERIFY_WITH_TIMEOUT(got2.ended, 10000);
    QVERIFY(got2.outcome.reason.contains(QStringLiteral("not found")));
  }

  void crashedRunIsMarkedFailedInTheStore() {
    // A fake engine that records a run as running in the store (as the engine does), then dies.
    const QString workspace = dir_.filePath("ws-crash");
    QDir().mkpath(workspace);
    std::string id;
    {
      temper::Store store = temper::Store::open((workspace + "/temper.db").toStdString());
      id = store.createRun({.name = "crasher", .method = "pretrain"});
      store.markRunning(id, 424242);
    }
    const QByteArray body = "echo '{\"v\":1,\"type\":\"run_started\",\"run_id\":\"" + QByteArray::fromStdString(id) +
                            "\",\"t\":1}'\necho 'Segmentation fault' >&2\nkill -9 $$\n";
    RunManager manager(workspace, fake("store-crash.sh", body));
    QSignalSpy ended(&manager, &RunManager::runEnded);
    manager.startJob({"train"});
    QCOMPARE(manager.liveCount(), 1);
    QVERIFY(ended.wait(10000));
    QCOMPARE(manager.liveCount(), 0);
    auto run = temper::Store::openReadOnly((workspace + "/temper.db").toStdString()).findRun(id);
    QCOMPARE(QString::fromStdString(run->status), QStringLiteral("failed"));
    QVERIFY2(QString::fromStdString(run->error_message).contains(QStringLiteral("Segmentation fault")),
             run->error_message.c_str());
  }

  // ---- the real engine -----------------------------------------------------------------------

  void realEngineTinyRunCancelAndResume() {
    const QString engine = realEngine();
    if (engine.isEmpty()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    const QDir dir(dir_.filePath("real"));
    QDir().mkpath(dir.path());
    QFile corpus(dir.filePath("corpus.txt"));
    QVERIFY(corpus.open(QIODevice::WriteOnly));
    corpus.write(tinyCorpus());
    corpus.close();
    const QString workspace = dir.filePath("ws");
    RunManager manager(workspace, engine);

    // One-shot jobs through the same client: their answer is a `result` event.
    auto runOneShot = [&](const QStringList& args) -> Collected {
      Collected got;
      collect(manager.startJob(args), &got);
      (void)QTest::qWaitFor([&] { return got.ended; }, 60000);  // the caller checks `ended`
      return got;
    };
    Collected tok = runOneShot({"tokenizer", "train", "--input", corpus.fileName(), "--vocab-size", "60",
                                "--model-type", "char", "--out", dir.filePath("tok.model")});
    QVERIFY(tok.ended);
    QVERIFY2(tok.outcome.status == QStringLiteral("finished"), qPrintable(tok.outcome.stderr_tail.join('\n')));
    QCOMPARE(typesOf(tok.events), QStringList{"result"});
    Collected data = runOneShot({"data", "prepare", "--tokenizer", dir.filePath("tok.model"), "--input",
                                 corpus.fileName(), "--out", dir.filePath("data")});
    QCOMPARE(data.outcome.status, QStringLiteral("finished"));

    const QStringList tiny = {"--data",          dir.filePath("data"),
                              "--layers",        "1",
                              "--dim",           "32",
                              "--heads",         "2",
                              "--ctx",           "16",
                              "--batch-size",    "4",
                              "--warmup-steps",  "0",
                              "--eval-batches",  "2",
                              "--sample-tokens", "8",
                              "--threads",       "1"};
    Collected run = runOneShot(EngineJob::trainArgs({}, tiny + QStringList{"--max-steps", "5", "--eval-every", "5"}));
    QVERIFY2(run.outcome.status == QStringLiteral("finished"), qPrintable(run.outcome.stderr_tail.join('\n')));
    const QStringList types = typesOf(run.events);
    QCOMPARE(types.first(), QStringLiteral("run_started"));
    QCOMPARE(types.count(QStringLiteral("step")), 5);
    QVERIFY(types.contains(QStringLiteral("eval")));
    QVERIFY(types.contains(QStringLiteral("sample")));
    QVERIFY(types.contains(QStringLiteral("checkpoint_saved")));
    QCOMPARE(types.last(), QStringLiteral("run_finished"));
    QVERIFY(!run.outcome.run_id.isEmpty());
    double val_loss = 0;
    for (const auto& e : run.events) {
      if (e.type == QLatin1String("eval")) val_loss = e.number("val_loss");
    }

    // The history shows what the events said.
    RunHistoryModel history(manager.databasePath());
    QVERIFY(history.reload());
    const int row = history.rowOf(run.outcome.run_id);
    QVERIFY(row >= 0);
    QCOMPARE(history.summaryAt(row).steps, 5);
    QCOMPARE(QString::fromStdString(history.summaryAt(row).run.status), QStringLiteral("finished"));
    QCOMPARE(history.summaryAt(row).last_val_loss, val_loss);

    // A long run, cancelled: clean stop with a checkpoint; then extended with --resume.
    EngineJob* long_job = manager.startJob(
        EngineJob::trainArgs({}, tiny + QStringList{"--max-steps", "200000", "--checkpoint-every", "100000"}));
    Collected cancelled;
    collect(long_job, &cancelled);
    QTRY_VERIFY_WITH_TIMEOUT(typesOf(cancelled.events).count(QStringLiteral("step")) >= 3, 60000);
    long_job->cancel();
    QTRY_VERIFY_WITH_TIMEOUT(cancelled.ended, 60000);
    QCOMPARE(cancelled.outcome.status, QStringLiteral("cancelled"));
    QCOMPARE(cancelled.outcome.exit_code, 130);
    QVERIFY(typesOf(cancelled.events).contains(QStringLiteral("checkpoint_saved")));
    const qint64 stopped_at = cancelled.events.last().integer("step");
    QVERIFY(stopped_at > 0);

    Collected resumed;
    collect(manager.resume(cancelled.outcome.run_id, stopped_at + 3), &resumed);
    QTRY_VERIFY_WITH_TIMEOUT(resumed.ended, 60000);
    QVERIFY2(resumed.outcome.status == QStringLiteral("finished"), qPrintable(resumed.outcome.stderr_tail.join('\n')));
    QCOMPARE(resumed.events.first().fields.value("resumed").toBool(), true);
    QCOMPARE(resumed.events.last().integer("step"), stopped_at + 3);
  }
};

QTEST_GUILESS_MAIN(EngineJobTest)
#include "engine_job_test.moc"
