#pragma once
/// What a run page listens to, whoever produces it: an engine child the studio started (EngineJob)
/// or a run started before the studio opened, followed from the store (RunFollower). Both deliver
/// coalesced event batches in the engine's own vocabulary, so pages have one code path.
#include <QObject>
#include <QString>

#include "ui/client/engine_event.h"

namespace temper::studio {

class RunChannel : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;

  /// The run id; empty until the engine reported it (a train job learns it from run_started).
  virtual QString runId() const = 0;
  /// True until ended() was emitted.
  virtual bool isActive() const = 0;
  /// Asks the engine to stop cleanly (it saves a checkpoint); ended() follows.
  virtual void cancel() = 0;

 Q_SIGNALS:
  void eventsReady(const temper::studio::EventBatch& batch);
  void runIdKnown(const QString& run_id);
  void ended(const temper::studio::JobOutcome& outcome);
};

}  // namespace temper::studio
