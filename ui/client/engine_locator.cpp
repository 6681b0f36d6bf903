#include "ui/client/engine_locator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace temper::studio {
namespace {

class Text {
  Q_DECLARE_TR_FUNCTIONS(EngineLocator)
};

bool isExecutableFile(const QString& path) {
  const QFileInfo info(path);
  return info.isFile() && info.isExecutable();
}

QString besideStudio(const QString& name) {
  if (!QCoreApplication::instance()) return {};
  const QString path = QDir(QCoreApplication::applicationDirPath()).filePath(name);
  return isExecutableFile(path) ? path : QString();
}

bool cudaDeviceVisible() {
  // CUDA_VISIBLE_DEVICES="" or "-1" hides every device from CUDA programs.
  if (qEnvironmentVariableIsSet("CUDA_VISIBLE_DEVICES")) {
    const QString visible = qEnvironmentVariable("CUDA_VISIBLE_DEVICES").trimmed();
    if (visible.isEmpty() || visible.startsWith(QLatin1Char('-'))) return false;
  }
  const QStringList devices = QDir(QStringLiteral("/dev")).entryList({QStringLiteral("nvidia[0-9]*")}, QDir::System);
  return !devices.isEmpty();
}

}  // namespace

QString engineBuildKey(EngineBuild build) {
  switch (build) {
    case EngineBuild::Cpu:
      return QStringLiteral("cpu");
    case EngineBuild::Cuda:
      return QStringLiteral("cuda");
    case EngineBuild::Automatic:
      break;
  }
  return QStringLiteral("auto");
}

EngineBuild engineBuildFromKey(const QString& key) {
  if (key == QLatin1String("cpu")) return EngineBuild::Cpu;
  if (key == QLatin1String("cuda")) return EngineBuild::Cuda;
  return EngineBuild::Automatic;
}

EngineProbe systemEngineProbe() {
  EngineProbe probe;
  probe.cuda_device_visible = cudaDeviceVisible();
  probe.cpu_engine = besideStudio(QStringLiteral("temper"));
  if (probe.cpu_engine.isEmpty()) probe.cpu_engine = QStandardPaths::findExecutable(QStringLiteral("temper"));

  const QString from_env = qEnvironmentVariable(kCudaEngineEnvVar);
  if (!from_env.isEmpty() && isExecutableFile(from_env)) probe.cuda_engine = QFileInfo(from_env).absoluteFilePath();
  if (probe.cuda_engine.isEmpty()) probe.cuda_engine = besideStudio(QStringLiteral("temper-cuda"));
  if (probe.cuda_engine.isEmpty()) probe.cuda_engine = QStandardPaths::findExecutable(QStringLiteral("temper-cuda"));
#ifdef TEMPER_CUDA_ENGINE_DIR
  if (probe.cuda_engine.isEmpty()) {
    const QString in_build = QDir(QStringLiteral(TEMPER_CUDA_ENGINE_DIR)).filePath(QStringLiteral("temper"));
    if (isExecutableFile(in_build)) probe.cuda_engine = in_build;
  }
#endif
  return probe;
}

EngineChoice chooseEngine(const QString& configured_path, EngineBuild build, const EngineProbe& probe) {
  const QString from_env = qEnvironmentVariable(kEngineEnvVar);
  if (!from_env.isEmpty()) {
    // Taken as given: a wrong override should fail loudly.
    return {from_env, QStringLiteral("custom"), Text::tr("TEMPER_ENGINE is set")};
  }
  if (!configured_path.isEmpty() && isExecutableFile(configured_path)) {
    return {QFileInfo(configured_path).absoluteFilePath(), QStringLiteral("custom"), Text::tr("path set in Settings")};
  }
  const EngineChoice cpu{probe.cpu_engine, QStringLiteral("cpu"), {}};
  const EngineChoice cuda{probe.cuda_engine, QStringLiteral("cuda"), {}};
  auto with = [](EngineChoice choice, const QString& reason) {
    choice.reason = reason;
    return choice;
  };
  switch (build) {
    case EngineBuild::Cpu:
      if (!cpu.path.isEmpty()) return with(cpu, Text::tr("CPU build chosen in Settings"));
      return with(cuda, Text::tr("CPU build chosen in Settings, but it is not installed"));
    case EngineBuild::Cuda:
      if (!cuda.path.isEmpty()) return with(cuda, Text::tr("CUDA build chosen in Settings"));
      return with(cpu, Text::tr("CUDA build chosen in Settings, but it is not installed (make cuda-engine)"));
    case EngineBuild::Automatic:
      break;
  }
  if (probe.cuda_device_visible && !cuda.path.isEmpty()) {
    return with(cuda, Text::tr("automatic: a CUDA device is visible"));
  }
  if (probe.cuda_device_visible) {
    return with(cpu, Text::tr("automatic: a CUDA device is visible, but the CUDA build is not installed "
                              "(make cuda-engine)"));
  }
  if (!cpu.path.isEmpty()) return with(cpu, Text::tr("automatic: no CUDA device is visible"));
  // No CPU build but a CUDA one: it trains on the CPU too.
  if (!cuda.path.isEmpty()) return with(cuda, Text::tr("automatic: only the CUDA build is installed"));
  return with(cpu, Text::tr("no engine found: set its path in Settings or TEMPER_ENGINE"));
}

}  // namespace temper::studio
