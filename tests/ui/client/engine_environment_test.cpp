// `temper info --json` as the status bar and About box read it: the contract's answer, a fake
// engine that answers it, and engines that cannot (missing command, not found, garbage).
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "client_test_support.h"
#include "ui/client/engine_environment.h"

using namespace temper::studio;
using namespace temper::studio::testing;

namespace {
// The example of /work/briefs/engine-contract.md, with one CUDA device added.
const QByteArray kInfo =
    "{\"temper\":\"0.1.0\",\"libtorch\":\"1.13.0\",\"sentencepiece\":\"0.1.97\",\"sqlite\":\"3.40.1\","
    "\"device\":{\"cuda_available\":true,\"cuda_devices\":[\"NVIDIA H100 80GB HBM3\"],\"cpu_threads\":2,"
    "\"blas\":\"openblas-openmp\"},\"methods\":[{\"name\":\"pretrain\",\"available\":true}],\"train_keys\":[],"
    "\"presets\":[]}";
}  // namespace

class EngineEnvironmentTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parsesTheContract() {
    EngineEnvironment env = EngineEnvironment::fromJson(kInfo);
    QVERIFY(env.available);
    QCOMPARE(env.temper_version, QStringLiteral("0.1.0"));
    QCOMPARE(env.libtorch_version, QStringLiteral("1.13.0"));
    QCOMPARE(env.sentencepiece_version, QStringLiteral("0.1.97"));
    QCOMPARE(env.cpu_threads, 2);
    QCOMPARE(env.deviceSummary(), QStringLiteral("CUDA: NVIDIA H100 80GB HBM3"));
    env.cuda_available = false;
    QCOMPARE(env.deviceSummary(), QStringLiteral("CPU, 2 thread(s)"));
    QVERIFY(!EngineEnvironment::fromJson("[1]").available);
    QCOMPARE(EngineEnvironment().deviceSummary(), QStringLiteral("engine info unavailable"));
  }

  void oneParserForStatusBarAndWizard() {
    // The status bar's EngineEnvironment carries the wizard's EngineInfo, parsed once.
    const EngineEnvironment env = EngineEnvironment::fromJson(kInfo);
    QVERIFY(env.catalog_error.isEmpty());
    QCOMPARE(env.info.temper, env.temper_version);
    QCOMPARE(env.info.cuda_devices, env.cuda_devices);
    QCOMPARE(env.info.methods.size(), 1);
    QCOMPARE(env.info.methods[0].name, QStringLiteral("pretrain"));
    QVERIFY(env.info.methods[0].available);

    // A device given by index reads the same everywhere.
    const EngineEnvironment indexed = EngineEnvironment::fromJson(
        "{\"temper\":\"0.2.0\",\"device\":{\"cuda_available\":true,\"cuda_devices\":[0,1],\"cpu_threads\":4},"
        "\"methods\":[],\"train_keys\":[],\"presets\":[]}");
    QCOMPARE(indexed.cuda_devices, (QStringList{QStringLiteral("cuda:0"), QStringLiteral("cuda:1")}));
    QCOMPARE(indexed.deviceSummary(), QStringLiteral("CUDA: cuda:0, cuda:1"));

    // An answer whose catalog the wizard must refuse still tells the status bar the device.
    const EngineEnvironment odd = EngineEnvironment::fromJson(
        "{\"temper\":\"0.3.0\",\"device\":{\"cuda_available\":false,\"cpu_threads\":3},"
        "\"methods\":[],\"train_keys\":[{\"key\":\"lr\",\"kind\":\"complex\"}],\"presets\":[]}");
    QVERIFY(odd.available);
    QCOMPARE(odd.temper_version, QStringLiteral("0.3.0"));
    QCOMPARE(odd.deviceSummary(), QStringLiteral("CPU, 3 thread(s)"));
    QVERIFY2(odd.catalog_error.contains(QStringLiteral("train_keys[0]")), qPrintable(odd.catalog_error));
    QVERIFY2(odd.catalog_error.contains(QStringLiteral("complex")), qPrintable(odd.catalog_error));
    EngineInfo direct;
    QCOMPARE(parseEngineInfo(odd.raw, direct), odd.catalog_error);

    const EngineEnvironment versions_only = EngineEnvironment::fromJson("{\"temper\":\"0.0.9\"}");
    QVERIFY(versions_only.available);
    QVERIFY2(versions_only.catalog_error.contains(QStringLiteral("`methods`")),
             qPrintable(versions_only.catalog_error));
  }

  void probeAsksTheEngine() {
    QTemporaryDir dir;
    const QString good =
        writeScript(QDir(dir.path()), "info.sh", "[ \"$1 $2\" = \"info --json\" ] || exit 9\necho '" + kInfo + "'\n");
    EngineEnvironmentProbe probe;
    QSignalSpy spy(&probe, &EngineEnvironmentProbe::finished);
    probe.start(good);
    QVERIFY(spy.wait(10000));
    QVERIFY(spy.at(0).at(0).value<EngineEnvironment>().available);

    // An engine without the command: the CLI's error on stderr, a non-zero exit.
    const QString old = writeScript(QDir(dir.path()), "old.sh",
                                    "echo 'error: The following argument was not expected: info' >&2\nexit 2\n");
    probe.start(old);
    QVERIFY(spy.wait(10000));
    const auto failed = spy.at(1).at(0).value<EngineEnvironment>();
    QVERIFY(!failed.available);
    QVERIFY2(failed.error.contains(QStringLiteral("not expected: info")), qPrintable(failed.error));

    probe.start(QString());
    QVERIFY(spy.wait(10000));
    QVERIFY(spy.at(2).at(0).value<EngineEnvironment>().error.contains(QStringLiteral("not found")));
  }

  void realEngineReportsItsVersions() {
    const QString engine = realEngine();
    if (engine.isEmpty()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    EngineEnvironmentProbe probe;
    QSignalSpy spy(&probe, &EngineEnvironmentProbe::finished);
    probe.start(engine);
    QVERIFY(spy.wait(20000));
    const auto env = spy.at(0).at(0).value<EngineEnvironment>();
    if (!env.available) QSKIP(qPrintable("this engine has no `info --json` yet: " + env.error));
    QVERIFY(!env.temper_version.isEmpty());
    QVERIFY(!env.libtorch_version.isEmpty());
    QVERIFY(env.cpu_threads > 0);
    QVERIFY(env.deviceSummary().startsWith(env.cuda_available ? "CUDA" : "CPU"));
  }
};

QTEST_GUILESS_MAIN(EngineEnvironmentTest)
#include "engine_environment_test.moc"
