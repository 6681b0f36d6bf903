#pragma once
/// What `temper info --json` reports (versions, device, methods): the status bar, the About box and
/// the wizard read it. The engine may not have the command (older engines): then `available` is
/// false and `error` says why, and the studio shows "engine info unavailable".
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>

#include "ui/client/engine_info.h"

namespace temper::studio {

struct EngineEnvironment {
  bool available = false;
  QString error;  ///< why not, when !available
  QString temper_version, libtorch_version, sentencepiece_version, sqlite_version, blas;
  int cpu_threads = 0;
  bool cuda_available = false;
  QStringList cuda_devices;
  QJsonObject raw;  ///< the whole answer
  /// The answer as the wizard reads it (methods, train keys, presets), by the same parser.
  EngineInfo info;
  /// What parseEngineInfo refused in the methods, keys or presets; empty when all was well. The
  /// versions and device are shown regardless: the status bar does not need the rest.
  QString catalog_error;

  /// Parses the JSON answer with parseEngineInfo (ui/client/engine_info.h); `available` false with
  /// `error` set when it is not a JSON object.
  static EngineEnvironment fromJson(const QByteArray& json);
  /// "CUDA: NVIDIA H100" or "CPU, 8 threads".
  QString deviceSummary() const;
};

/// Runs `temper info --json` once, asynchronously.
class EngineEnvironmentProbe : public QObject {
  Q_OBJECT
 public:
  static constexpr int kTimeoutMs = 15'000;

  explicit EngineEnvironmentProbe(QObject* parent = nullptr);
  /// Kills a child still running (the window closed before the engine answered).
  ~EngineEnvironmentProbe() override;
  /// `engine_path` empty: reports "engine not found" (queued, like every answer).
  void start(const QString& engine_path);
  bool isRunning() const { return process_.state() != QProcess::NotRunning; }

 Q_SIGNALS:
  void finished(const temper::studio::EngineEnvironment& info);

 private:
  void report(EngineEnvironment info);

  QProcess process_;
  QTimer timeout_;
  bool reported_ = true;
};

}  // namespace temper::studio

Q_DECLARE_METATYPE(temper::studio::EngineEnvironment)
