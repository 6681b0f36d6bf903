// One-shot engine questions (EngineQuery) against fake engines: the answer read out of event
// lines, the engine's refusal with its message and exit code, a timeout that kills the child,
// cancellation by destroying the asking object or by cancel(), crashes, engines that cannot start,
// temporary files; and the commands EngineSession builds for each question.
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QPointer>
#include <QTemporaryDir>
#include <QtTest>
#include <optional>

#include "client_test_support.h"
#include "fake_engines.h"
#include "ui/client/engine_query.h"
#include "ui/client/engine_session.h"
#include "ui/client/process_probe.h"

using namespace temper::studio;
using namespace temper::studio::testing;

namespace {

EngineCommand commandFor(const QString& engine, const QString& name = QStringLiteral("model inspect")) {
  EngineCommand command;
  command.engine = engine;
  command.args = {QStringLiteral("model"), QStringLiteral("inspect"), QStringLiteral("m"), QStringLiteral("--json")};
  command.name = name;
  return command;
}

/// The pid a sleeping engine wrote, once it is there (0 when it never came).
qint64 waitForPid(const QString& pid_file) {
  if (!QTest::qWaitFor([&] { return QFile(pid_file).size() > 0; }, 10000)) return 0;
  QFile file(pid_file);
  return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed().toLongLong() : 0;
}

}  // namespace

class EngineQueryTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void init() { QVERIFY(dir_.isValid()); }

  void readsTheAnswerAfterEventLines() {
    const QString engine = writeScript(QDir(dir_.path()), "answer.sh", answeringEngine());
    QObject context;
    std::optional<EngineReply> reply;
    EngineQuery::start(commandFor(engine), &context, [&reply](const EngineReply& r) { reply = r; });
    QVERIFY(!reply);  // never before start() returns
    QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 10000);
    QVERIFY2(reply->ok, qPrintable(reply->error));
    QCOMPARE(reply->exit_code, 0);
    QCOMPARE(reply->json.value("family").toString(), QStringLiteral("gpt2"));
    QVERIFY(!reply->json.contains("type"));
  }

  void refusalKeepsTheEnginesMessageAndExitCode() {
    const QString engine = writeScript(QDir(dir_.path()), "refuse.sh", refusingEngine());
    QObject context;
    std::optional<EngineReply> reply;
    EngineQuery::start(commandFor(engine), &context, [&reply](const EngineReply& r) { reply = r; });
    QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 10000);
    QVERIFY(!reply->ok);
    QCOMPARE(reply->exit_code, 3);
    // `error: ` is stripped once, from the front: the message's own "error: " stays.
    QCOMPARE(reply->error, QStringLiteral("m/config.json: error: no `n_layer`"));
    QCOMPARE(reply->stderr_tail, (QStringList{"loading m", "error: m/config.json: error: no `n_layer`"}));
  }

  // The one reader, on outputs the engine produces (seen on build/bin/temper).
  void readerOnRecordedOutputs() {
    EngineReply r = readEngineReply("info", 0, "{\"a\":1}\n", {});
    QVERIFY(r.ok);
    QCOMPARE(r.json, (QJsonObject{{"a", 1}}));
    r = readEngineReply("info", 0, "{\"type\":\"log\",\"v\":1}\n{\"a\":2}\n", {});
    QVERIFY(r.ok);
    QCOMPARE(r.json, (QJsonObject{{"a", 2}}));
    // Only stderr: its last non-empty line.
    r = readEngineReply("model inspect", 3, "", {"error: /m/config.json: missing key `n_layer`", ""});
    QVERIFY(!r.ok);
    QCOMPARE(r.exit_code, 3);
    QCOMPARE(r.error, QStringLiteral("/m/config.json: missing key `n_layer`"));
    // Only an error event on stdout.
    r = readEngineReply("model inspect", 4, "{\"type\":\"error\",\"message\":\"bad dtype\"}\n", {});
    QCOMPARE(r.error, QStringLiteral("bad dtype"));
    QCOMPARE(r.exit_code, 4);
    // Nothing said: the exit code in words.
    r = readEngineReply("export", 5, "", {});
    QCOMPARE(r.error, QStringLiteral("`temper export` failed with exit code 5."));
    // Killed: says so, with what the engine said last.
    r = readEngineReply("eval", -1, "", {"loading"});
    QCOMPARE(r.error, QStringLiteral("`temper eval` stopped before answering (killed or crashed). loading"));
    r = readEngineReply("info", 0, "not json", {});
    QVERIFY(!r.ok);
    QVERIFY(r.error.startsWith("`temper info --json` printed no JSON object"));
    QCOMPARE(engineMessage("", {"error: a", "error: error: b", "  "}), QStringLiteral("error: b"));
  }

  void timeoutKillsTheChild() {
    const QString pid_file = dir_.filePath("timeout.pid");
    const QString engine = writeScript(QDir(dir_.path()), "sleep.sh", sleepingEngine(pid_file.toUtf8()));
    EngineCommand command = commandFor(engine, QStringLiteral("info"));
    command.timeout_ms = 800;
    QObject context;
    std::optional<EngineReply> reply;
    QElapsedTimer timer;
    timer.start();
    EngineQuery::start(command, &context, [&reply](const EngineReply& r) { reply = r; });
    const qint64 pid = waitForPid(pid_file);
    QVERIFY(pid > 0);
    QVERIFY(processAlive(pid));
    QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 10000);
    QVERIFY(timer.elapsed() < 5000);
    QVERIFY(!reply->ok);
    QCOMPARE(reply->exit_code, -1);
    QCOMPARE(reply->error, QStringLiteral("`temper info` did not answer within 1 s."));
    QTRY_VERIFY_WITH_TIMEOUT(!processAlive(pid), 5000);  // killed and reaped, not left sleeping
  }

  void destroyingTheContextCancelsAndKills() {
    const QString pid_file = dir_.filePath("context.pid");
    const QString engine = writeScript(QDir(dir_.path()), "sleep.sh", sleepingEngine(pid_file.toUtf8()));
    int answers = 0;
    auto* context = new QObject;
    QPointer<EngineQuery> query =
        EngineQuery::start(commandFor(engine), context, [&answers](const EngineReply&) { ++answers; });
    const qint64 pid = waitForPid(pid_file);
    QVERIFY(pid > 0);
    QVERIFY(query && query->isRunning());
    QCOMPARE(query->processId(), pid);
    delete context;  // a page closing mid-question
    QVERIFY(query.isNull());
    QVERIFY(!processAlive(pid));  // the query's destructor killed and reaped it
    QTest::qWait(200);
    QCOMPARE(answers, 0);
  }

  void cancelKillsWithoutAnswering() {
    const QString pid_file = dir_.filePath("cancel.pid");
    const QString engine = writeScript(QDir(dir_.path()), "sleep.sh", sleepingEngine(pid_file.toUtf8()));
    const QString temporary = dir_.filePath("config.json");
    QFile(temporary).open(QIODevice::WriteOnly);
    EngineCommand command = commandFor(engine);
    command.temporary_files << temporary;
    int answers = 0;
    QObject context;
    QPointer<EngineQuery> query = EngineQuery::start(command, &context, [&answers](const EngineReply&) { ++answers; });
    const qint64 pid = waitForPid(pid_file);
    QVERIFY(pid > 0);
    query->cancel();
    QVERIFY(!QFile::exists(temporary));
    QTRY_VERIFY(query.isNull());  // gone on the next turn of the event loop
    QTRY_VERIFY_WITH_TIMEOUT(!processAlive(pid), 5000);
    QTest::qWait(200);
    QCOMPARE(answers, 0);
  }

  void crashesAndEnginesThatCannotStart() {
    const QString engine = writeScript(QDir(dir_.path()), "crash.sh", crashingEngine());
    QObject context;
    QVector<EngineReply> replies;
    auto collect = [&replies](const EngineReply& r) { replies << r; };
    EngineQuery::start(commandFor(engine, QStringLiteral("eval")), &context, collect);
    QTRY_COMPARE_WITH_TIMEOUT(replies.size(), 1, 10000);
    QCOMPARE(replies[0].exit_code, -1);
    QCOMPARE(replies[0].error,
             QStringLiteral("`temper eval` stopped before answering (killed or crashed). half an answer"));

    EngineQuery::start(commandFor(QStringLiteral("/nonexistent/temper")), &context, collect);
    QTRY_COMPARE(replies.size(), 2);
    QCOMPARE(replies[1].exit_code, -1);
    QVERIFY2(replies[1].error.startsWith("Cannot start the engine `/nonexistent/temper`"),
             qPrintable(replies[1].error));

    EngineQuery::start(commandFor(QString()), &context, collect);
    QCOMPARE(replies.size(), 2);  // queued, even when there is nothing to start
    QTRY_COMPARE(replies.size(), 3);
    QVERIFY(replies[2].error.contains("not found"));
  }

  void temporaryFilesGoWithTheAnswer() {
    const QString engine = writeScript(QDir(dir_.path()), "answer.sh", answeringEngine());
    const QString temporary = dir_.filePath("dry-run.json");
    QFile(temporary).open(QIODevice::WriteOnly);
    EngineCommand command = commandFor(engine);
    command.temporary_files << temporary;
    QObject context;
    bool answered = false;
    EngineQuery::start(command, &context, [&](const EngineReply&) { answered = !QFile::exists(temporary); });
    QTRY_VERIFY_WITH_TIMEOUT(answered, 10000);
  }

  // What EngineSession asks for each question, and what comes back (the wizard's and pages' path).
  void sessionCommands() {
    const QString args_file = dir_.filePath("args");
    const QString config_copy = dir_.filePath("config");
    const QString engine =
        writeScript(QDir(dir_.path()), "temper", recordingEngine(args_file.toUtf8(), config_copy.toUtf8()));
    EngineSession session(engine, "/ws");
    QObject context;
    QVector<EngineReply> replies;
    auto collect = [&replies](const EngineReply& r) { replies << r; };
    session.info(&context, collect);
    QTRY_COMPARE_WITH_TIMEOUT(replies.size(), 1, 10000);
    QVERIFY(replies[0].ok);
    QCOMPARE(replies[0].json.value("temper").toString(), QStringLiteral("0.1.0"));
    session.inspectModel("/m", &context, collect);
    QTRY_COMPARE_WITH_TIMEOUT(replies.size(), 2, 10000);
    QVERIFY(!replies[1].ok);
    QCOMPARE(replies[1].error, QStringLiteral("/m: not a model folder"));
    QCOMPARE(replies[1].exit_code, 3);
    session.inspectData({"/d1", "/d 2"}, "/tok", &context, collect);
    QTRY_COMPARE_WITH_TIMEOUT(replies.size(), 3, 10000);
    QVERIFY(replies[2].ok);
    const QJsonObject config{{"method", "sft"}, {"lr", 5e-5}};
    session.dryRun(config, &context, collect);
    QTRY_COMPARE_WITH_TIMEOUT(replies.size(), 4, 10000);
    QVERIFY(replies[3].ok);
    session.evaluate("/ck", "/val.txt", &context, collect);
    QTRY_COMPARE_WITH_TIMEOUT(replies.size(), 5, 10000);
    QCOMPARE(replies[4].json.value("mean_nll").toDouble(), 1.5);
    QCOMPARE(checkEvalResult(replies[4].json), QString());
    session.exportRun("r1", "/o", false, &context, collect);
    QTRY_COMPARE_WITH_TIMEOUT(replies.size(), 6, 10000);
    ExportResult exported;
    QCOMPARE(parseExportResult(replies[5].json, exported), QString());
    QCOMPARE(exported.files, QStringList{"config.json"});
    QCOMPARE(exported.bytes, 12);

    QFile written(config_copy);
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(written.readAll()).object(), config);
    QFile args(args_file);
    QVERIFY(args.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(args.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 6);
    QCOMPARE(lines[0], QStringLiteral("info --json"));  // the engine's, not the workspace's
    QCOMPARE(lines[1], QStringLiteral("--workspace /ws model inspect /m --json"));
    QCOMPARE(lines[2], QStringLiteral("--workspace /ws data inspect /d1 /d 2 --tokenizer /tok --json"));
    QVERIFY(lines[3].startsWith("--workspace /ws train /"));
    QVERIFY(lines[3].endsWith(".json --dry-run --json"));
    QVERIFY(!QFile::exists(lines[3].section(' ', 3, 3)));  // the temporary config is gone
    QCOMPARE(lines[4], QStringLiteral("--workspace /ws eval --model /ck --data /val.txt --json"));
    QCOMPARE(lines[5], QStringLiteral("--workspace /ws export --run r1 --out /o --json"));
    // No answer once the asker is gone.
    {
      QObject short_lived;
      session.inspectModel("/m", &short_lived, collect);
    }
    QTest::qWait(300);
    QCOMPARE(replies.size(), 6);
  }

 private:
  QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(EngineQueryTest)
#include "engine_query_test.moc"
