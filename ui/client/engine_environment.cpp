#include "ui/client/engine_environment.h"

#include <QJsonDocument>

namespace temper::studio {

EngineEnvironment EngineEnvironment::fromJson(const QByteArray& json) {
  EngineEnvironment env;
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(json.trimmed(), &error);
  if (error.error != QJsonParseError::NoError || !doc.isObject()) {
    env.error = QObject::tr("`temper info --json` did not answer with a JSON object");
    return env;
  }
  env.raw = doc.object();
  // One parser for the whole studio; it reads versions and device before it judges the rest.
  env.catalog_error = parseEngineInfo(env.raw, env.info);
  env.temper_version = env.info.temper;
  env.libtorch_version = env.info.libtorch;
  env.sentencepiece_version = env.info.sentencepiece;
  env.sqlite_version = env.info.sqlite;
  env.blas = env.info.blas;
  env.cpu_threads = env.info.cpu_threads;
  env.cuda_available = env.info.cuda_available;
  env.cuda_devices = env.info.cuda_devices;
  env.available = true;
  return env;
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
