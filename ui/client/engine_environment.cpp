#include "ui/client/engine_environment.h"

#include <QJsonDocument>

namespace temper::studio {

EngineEnvironment EngineEnvironment::fromJson(const QByteArray& json) {
  EngineEnvironment info;
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(json.trimmed(), &error);
  if (error.error != QJsonParseError::NoError || !doc.isObject()) {
    info.error = QObject::tr("`temper info --json` did not answer with a JSON object");
    return info;
  }
  info.raw = doc.object();
  info.temper_version = info.raw.value(QStringLiteral("temper")).toString();
  info.libtorch_version = info.raw.value(QStringLiteral("libtorch")).toString();
  info.sentencepiece_version = info.raw.value(QStringLiteral("sentencepiece")).toString();
  info.sqlite_version = info.raw.value(QStringLiteral("sqlite")).toString();
  const QJsonObject device = info.raw.value(QStringLiteral("device")).toObject();
  info.cpu_threads = device.value(QStringLiteral("cpu_threads")).toInt();
  info.cuda_available = device.value(QStringLiteral("cuda_available")).toBool();
  info.blas = device.value(QStringLiteral("blas")).toString();
  for (const QJsonValue& gpu : device.value(QStringLiteral("cuda_devices")).toArray()) {
    // A device is a name or an object with one; accept both.
    info.cuda_devices << (gpu.isObject() ? gpu.toObject().value(QStringLiteral("name")).toString() : gpu.toString());
  }
  info.available = true;
  return info;
}

QString EngineEnvironment::deviceSummary() const {
  if (!available) return QObject::tr("engine info unavailable");
  if (cuda_available && !cuda_devices.isEmpty())
    return QObject::tr("CUDA: %1").arg(cuda_devices.join(QStringLiteral(", ")));
  return QObject::tr("CPU, %n thread(s)", nullptr, cpu_threads);
}

EngineEnvironmentProbe::EngineEnvironmentProbe(QObject* parent) : QObject(parent) {
  timeout_.setSingleShot(true);
  connect(&timeout_, &QTimer::timeout, this, [this] {
    process_.kill();
    EngineEnvironment info;
    info.error = tr("`temper info` did not answer within %1 s").arg(kTimeoutMs / 1000);
    report(info);
  });
  connect(&process_, &QProcess::finished, this, [this](int exit_code, QProcess::ExitStatus status) {
    timeout_.stop();
    if (status != QProcess::NormalExit || exit_code != 0) {
      EngineEnvironment info;
      const QString said =
          QString::fromUtf8(process_.readAllStandardError()).trimmed().section(QLatin1Char('\n'), 0, 0);
      info.error = tr("`temper info --json` failed (exit %1): %2").arg(exit_code).arg(said);
      report(info);
      return;
    }
    report(EngineEnvironment::fromJson(process_.readAllStandardOutput()));
  });
  connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
    if (error != QProcess::FailedToStart) return;
    timeout_.stop();
    EngineEnvironment info;
    info.error = tr("could not start %1: %2").arg(process_.program(), process_.errorString());
    report(info);
  });
}

EngineEnvironmentProbe::~EngineEnvironmentProbe() {
  if (process_.state() == QProcess::NotRunning) return;
  process_.disconnect(this);
  process_.kill();
  process_.waitForFinished(1000);
}

void EngineEnvironmentProbe::start(const QString& engine_path) {
  reported_ = false;
  if (engine_path.isEmpty()) {
    QMetaObject::invokeMethod(
        this,
        [this] {
          EngineEnvironment info;
          info.error = tr("the engine `temper` was not found");
          report(info);
        },
        Qt::QueuedConnection);
    return;
  }
  timeout_.start(kTimeoutMs);
  process_.start(engine_path, {QStringLiteral("info"), QStringLiteral("--json")}, QIODevice::ReadOnly);
}

void EngineEnvironmentProbe::report(EngineEnvironment info) {
  if (reported_) return;
  reported_ = true;
  Q_EMIT finished(info);
}

}  // namespace temper::studio
