// Which engine build the studio starts (engine_locator.h): the CUDA build only when a CUDA device is
// visible and that build exists, else the CPU build; Settings' build choice and path, and
// TEMPER_ENGINE, override in that order; a missing build falls back to the other and says so.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/client/engine_locator.h"

using namespace temper::studio;

namespace {

QString makeExecutable(const QTemporaryDir& dir, const QString& name) {
  const QString path = dir.filePath(name);
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return {};
  file.write("#!/bin/sh\nexit 0\n");
  file.close();
  file.setPermissions(file.permissions() | QFileDevice::ExeOwner);
  return path;
}

}  // namespace

class EngineLocatorTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    QVERIFY(dir_.isValid());
    qunsetenv(kEngineEnvVar);
    cpu_ = makeExecutable(dir_, QStringLiteral("temper"));
    cuda_ = makeExecutable(dir_, QStringLiteral("temper-cuda"));
  }
  void cleanup() { qunsetenv(kEngineEnvVar); }

  void automaticTakesTheCudaBuildOnlyWithADevice() {
    EngineChoice with_gpu = chooseEngine({}, EngineBuild::Automatic, {true, cpu_, cuda_});
    QCOMPARE(with_gpu.path, cuda_);
    QCOMPARE(with_gpu.build, QStringLiteral("cuda"));
    QVERIFY2(with_gpu.reason.contains(QStringLiteral("CUDA device is visible")), qPrintable(with_gpu.reason));

    EngineChoice without = chooseEngine({}, EngineBuild::Automatic, {false, cpu_, cuda_});
    QCOMPARE(without.path, cpu_);
    QCOMPARE(without.build, QStringLiteral("cpu"));
    QVERIFY2(without.reason.contains(QStringLiteral("no CUDA device")), qPrintable(without.reason));
  }

  void automaticFallsBackWhenABuildIsMissing() {
    EngineChoice no_cuda_build = chooseEngine({}, EngineBuild::Automatic, {true, cpu_, {}});
    QCOMPARE(no_cuda_build.path, cpu_);
    QVERIFY2(no_cuda_build.reason.contains(QStringLiteral("make cuda-engine")), qPrintable(no_cuda_build.reason));
    // The CUDA build trains on the CPU too: with nothing else installed it is the engine.
    EngineChoice only_cuda = chooseEngine({}, EngineBuild::Automatic, {false, {}, cuda_});
    QCOMPARE(only_cuda.path, cuda_);
    EngineChoice none = chooseEngine({}, EngineBuild::Automatic, {false, {}, {}});
    QVERIFY(none.path.isEmpty());
    QVERIFY2(none.reason.contains(QStringLiteral("no engine found")), qPrintable(none.reason));
  }

  void settingsChooseTheBuild() {
    QCOMPARE(chooseEngine({}, EngineBuild::Cpu, {true, cpu_, cuda_}).path, cpu_);
    QCOMPARE(chooseEngine({}, EngineBuild::Cuda, {false, cpu_, cuda_}).path, cuda_);
    EngineChoice missing = chooseEngine({}, EngineBuild::Cuda, {true, cpu_, {}});
    QCOMPARE(missing.path, cpu_);
    QCOMPARE(missing.build, QStringLiteral("cpu"));
    QVERIFY2(missing.reason.contains(QStringLiteral("not installed")), qPrintable(missing.reason));
  }

  void aPathOverridesTheBuildAndTheEnvironmentOverridesAll() {
    const QString custom = makeExecutable(dir_, QStringLiteral("my-temper"));
    EngineChoice configured = chooseEngine(custom, EngineBuild::Cuda, {true, cpu_, cuda_});
    QCOMPARE(configured.path, custom);
    QCOMPARE(configured.build, QStringLiteral("custom"));
    // A configured path that is not an executable is ignored rather than failing every start.
    QCOMPARE(chooseEngine(dir_.filePath(QStringLiteral("gone")), EngineBuild::Automatic, {false, cpu_, cuda_}).path,
             cpu_);
    qputenv(kEngineEnvVar, "/nowhere/temper");
    EngineChoice from_env = chooseEngine(custom, EngineBuild::Automatic, {true, cpu_, cuda_});
    QCOMPARE(from_env.path, QStringLiteral("/nowhere/temper"));  // taken as given: it must fail loudly
    QVERIFY2(from_env.reason.contains(QLatin1String(kEngineEnvVar)), qPrintable(from_env.reason));
  }

  void buildKeysRoundTrip() {
    for (EngineBuild build : {EngineBuild::Automatic, EngineBuild::Cpu, EngineBuild::Cuda}) {
      QCOMPARE(engineBuildFromKey(engineBuildKey(build)), build);
    }
    QCOMPARE(engineBuildFromKey(QStringLiteral("tpu")), EngineBuild::Automatic);
  }

  void theSystemProbeHonoursCudaVisibleDevices() {
    qputenv("CUDA_VISIBLE_DEVICES", "-1");
    QVERIFY(!systemEngineProbe().cuda_device_visible);
    qputenv("CUDA_VISIBLE_DEVICES", "");
    QVERIFY(!systemEngineProbe().cuda_device_visible);
    qunsetenv("CUDA_VISIBLE_DEVICES");
    // Without the NVIDIA driver's device files nothing is visible, whatever the variable says.
    if (!QFile::exists(QStringLiteral("/dev/nvidia0"))) QVERIFY(!systemEngineProbe().cuda_device_visible);
  }

 private:
  QTemporaryDir dir_;
  QString cpu_, cuda_;
};

QTEST_GUILESS_MAIN(EngineLocatorTest)
#include "engine_locator_test.moc"
