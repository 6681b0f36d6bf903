// `temper info --json` as the status bar, the About box and the wizard read it: the contract's
// answer parsed once (EngineEnvironment over parseEngineInfo), asked once per EngineSession and
// shared, engines that cannot answer (refusing, not found), and the real engine, whose answer must
// parse completely: a broken engine fails this test, it is not skipped.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <optional>

#include "client_test_support.h"
#include "fake_engines.h"
#include "ui/client/engine_session.h"

using namespace temper::studio;
using namespace temper::studio::testing;

namespace {

EngineEnvironment environmentOf(const QByteArray& json) {
  return EngineEnvironment::fromReply(readEngineReply("info", 0, json, {}));
}

/// An engine that answers `info` like the contract and counts how often it was asked.
QByteArray countingInfoEngine(const QString& count_file) {
  return "echo asked >> '" + count_file.toUtf8() + "'\n[ \"$1 $2\" = \"info --json\" ] || exit 9\necho '" + infoJson() +
         "'\n";
}

int linesOf(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? file.readAll().count('\n') : 0;
}

}  // namespace

class EngineEnvironmentTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parsesTheContract() {
    EngineEnvironment env = environmentOf(infoJson());
    QVERIFY(env.available);
    QVERIFY2(env.catalog_error.isEmpty(), qPrintable(env.catalog_error));
    QCOMPARE(env.info.temper, QStringLiteral("0.1.0"));
    QCOMPARE(env.info.libtorch, QStringLiteral("1.13.0"));
    QCOMPARE(env.info.sentencepiece, QStringLiteral("0.1.97"));
    QCOMPARE(env.info.cpu_threads, 2);
    QCOMPARE(env.deviceSummary(), QStringLiteral("CUDA: NVIDIA H100 80GB HBM3"));
    env.info.cuda_available = false;
    QCOMPARE(env.deviceSummary(), QStringLiteral("CPU, 2 thread(s)"));
    QCOMPARE(env.info.methods.size(), 2);
    QCOMPARE(env.info.methods[1].name, QStringLiteral("dpo"));
    QVERIFY(!env.info.methods[1].available);
    QCOMPARE(env.info.methods[1].formats, QStringList{"preference"});
    QVERIFY(!environmentOf("[1]").available);
    QCOMPARE(EngineEnvironment().deviceSummary(), QStringLiteral("engine info unavailable"));
  }

  void readsWhichEngineBuildAnswered() {
    // The CPU build answers "cuda_build": null (or, from an older engine, nothing); the CUDA build
    // its CUDA version.
    QVERIFY(environmentOf(infoJson()).info.cuda_build.isEmpty());
    QByteArray cpu = infoJson();
    cpu.replace(R"("libtorch":"1.13.0")", R"("libtorch":"1.13.0","cuda_build":null)");
    QVERIFY(environmentOf(cpu).available);
    QVERIFY(environmentOf(cpu).info.cuda_build.isEmpty());
    QByteArray cuda = infoJson();
    cuda.replace(R"("libtorch":"1.13.0")", R"("libtorch":"2.15.0","cuda_build":"13.2")");
    QCOMPARE(environmentOf(cuda).info.cuda_build, QStringLiteral("13.2"));
    QCOMPARE(environmentOf(cuda).info.libtorch, QStringLiteral("2.15.0"));
  }

  void versionsSurviveARefusedCatalog() {
    // A device given by index reads the same everywhere.
    const EngineEnvironment indexed = environmentOf(
        "{\"temper\":\"0.2.0\",\"device\":{\"cuda_available\":true,\"cuda_devices\":[0,1],\"cpu_threads\":4},"
        "\"methods\":[],\"train_keys\":[],\"presets\":[]}");
    QCOMPARE(indexed.info.cuda_devices, (QStringList{QStringLiteral("cuda:0"), QStringLiteral("cuda:1")}));
    QCOMPARE(indexed.deviceSummary(), QStringLiteral("CUDA: cuda:0, cuda:1"));

    // An answer whose catalog the wizard must refuse still tells the status bar the device.
    const EngineEnvironment odd = environmentOf(
        "{\"temper\":\"0.3.0\",\"device\":{\"cuda_available\":false,\"cpu_threads\":3},"
        "\"methods\":[],\"train_keys\":[{\"key\":\"lr\",\"kind\":\"complex\"}],\"presets\":[]}");
    QVERIFY(odd.available);
    QCOMPARE(odd.info.temper, QStringLiteral("0.3.0"));
    QCOMPARE(odd.deviceSummary(), QStringLiteral("CPU, 3 thread(s)"));
    QVERIFY2(odd.catalog_error.contains(QStringLiteral("train_keys[0]")), qPrintable(odd.catalog_error));
    QVERIFY2(odd.catalog_error.contains(QStringLiteral("complex")), qPrintable(odd.catalog_error));

    // A method without the fields the wizard decides with is a catalog error naming the field.
    const EngineEnvironment old_methods = environmentOf(
        "{\"temper\":\"0.0.9\",\"device\":{},\"methods\":[{\"name\":\"sft\",\"available\":true}],"
        "\"train_keys\":[],\"presets\":[]}");
    QVERIFY(old_methods.available);
    QCOMPARE(old_methods.info.temper, QStringLiteral("0.0.9"));
    QCOMPARE(old_methods.catalog_error,
             QStringLiteral("`temper info`: methods[0] (`sft`) has no `needs_base` (a boolean)"));

    const EngineEnvironment versions_only = environmentOf("{\"temper\":\"0.0.9\"}");
    QVERIFY(versions_only.available);
    QVERIFY2(versions_only.catalog_error.contains(QStringLiteral("`methods`")),
             qPrintable(versions_only.catalog_error));
  }

  void askedOncePerSession() {
    QTemporaryDir dir;
    const QString count = dir.filePath("count");
    const QString engine = writeScript(QDir(dir.path()), "info.sh", countingInfoEngine(count));
    EngineSession session(engine, dir.filePath("ws"));
    QSignalSpy changed(&session, &EngineSession::environmentChanged);
    // The status bar asks at start-up; a wizard and a page ask while the answer is on its way.
    session.askInfo();
    QObject wizard, page;
    std::optional<EngineReply> for_wizard, for_page, for_later;
    session.info(&wizard, [&for_wizard](const EngineReply& r) { for_wizard = r; });
    session.info(&page, [&for_page](const EngineReply& r) { for_page = r; });
    session.askInfo();
    QTRY_VERIFY_WITH_TIMEOUT(for_wizard && for_page, 10000);
    QVERIFY(for_wizard->ok);
    QCOMPARE(for_page->json, for_wizard->json);
    QCOMPARE(changed.count(), 1);
    QVERIFY(session.environment().available);
    QCOMPARE(session.environment().info.temper, QStringLiteral("0.1.0"));
    // A wizard opened later gets the kept answer, on the next turn of the event loop.
    QObject later;
    session.info(&later, [&for_later](const EngineReply& r) { for_later = r; });
    QVERIFY(!for_later);
    QTRY_VERIFY(for_later.has_value());
    QCOMPARE(for_later->json, for_wizard->json);
    session.askInfo();
    QTest::qWait(200);
    QCOMPARE(linesOf(count), 1);
    QCOMPARE(changed.count(), 1);

    // Another engine (Settings): asked again, once.
    const QString other = writeScript(QDir(dir.path()), "other.sh", countingInfoEngine(count));
    session.setEngine(other);
    session.askInfo();
    QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 2, 10000);
    QCOMPARE(linesOf(count), 2);
  }

  void failuresAreShownAndAskedAgain() {
    QTemporaryDir dir;
    const QString count = dir.filePath("count");
    // The CLI's refusal of a command it does not know: its message and exit code.
    const QString refusing =
        writeScript(QDir(dir.path()), "refuse.sh",
                    "echo asked >> '" + count.toUtf8() +
                        "'\necho 'error: The following argument was not expected: info' >&2\nexit 2\n");
    EngineSession session(refusing);
    QSignalSpy changed(&session, &EngineSession::environmentChanged);
    session.askInfo();
    QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 10000);
    const auto env = changed.at(0).at(0).value<EngineEnvironment>();
    QVERIFY(!env.available);
    QCOMPARE(env.error, QStringLiteral("The following argument was not expected: info"));
    QCOMPARE(env.deviceSummary(), QStringLiteral("engine info unavailable"));
    // A failure is not kept: the next question asks again.
    QObject context;
    std::optional<EngineReply> reply;
    session.info(&context, [&reply](const EngineReply& r) { reply = r; });
    QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 10000);
    QCOMPARE(reply->exit_code, 2);
    QCOMPARE(linesOf(count), 2);

    EngineSession nowhere(QString{});
    QSignalSpy nowhere_changed(&nowhere, &EngineSession::environmentChanged);
    nowhere.askInfo();
    QTRY_COMPARE(nowhere_changed.count(), 1);
    QVERIFY(nowhere.environment().error.contains(QStringLiteral("not found")));
  }

  void realEngineReportsItsVersionsAndCatalog() {
    const QString engine = realEngine();
#ifdef TEMPER_UI_TESTS_EXPECT_ENGINE
    QVERIFY2(!engine.isEmpty(), "this build makes `temper` but bin/temper is missing");
#else
    if (engine.isEmpty()) QSKIP("no temper engine in this studio-only build (set TEMPER_ENGINE)");
#endif
    EngineSession session(engine);
    session.setTimeoutMs(60000);
    QSignalSpy changed(&session, &EngineSession::environmentChanged);
    session.askInfo();
    QVERIFY(changed.wait(60000));
    const EngineEnvironment& env = session.environment();
    QVERIFY2(env.available, qPrintable(env.error));
    QVERIFY2(env.catalog_error.isEmpty(), qPrintable(env.catalog_error));
    QVERIFY(!env.info.temper.isEmpty());
    QVERIFY(!env.info.libtorch.isEmpty());
    QVERIFY(env.info.cpu_threads > 0);
    QVERIFY(env.deviceSummary().startsWith(env.info.cuda_available ? "CUDA" : "CPU"));
    QVERIFY(!env.info.methods.isEmpty());
    QVERIFY(!env.info.train_keys.isEmpty());
    QVERIFY(!env.info.presets.isEmpty());
  }
};

QTEST_GUILESS_MAIN(EngineEnvironmentTest)
#include "engine_environment_test.moc"
