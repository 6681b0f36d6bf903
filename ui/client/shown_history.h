#pragma once
/// What a run view has shown of a run's history read from the store, so that the events of a
/// channel that was following the run before the view opened (a RunFollower whose first poll went
/// to nobody, or the engine child of a tab that was closed) are not shown twice. Such a channel
/// goes on from where it had got to, which may be behind what the view read: its events at or
/// below the steps the history reached are already on screen and are dropped; the rest pass.
/// A plain value; GUI thread only, like the views that keep it.
#include <QSet>
#include <QString>

#include "ui/client/engine_event.h"

namespace temper::studio {

class ShownHistory {
 public:
  /// Notes what `history` (the events read from the store) puts on screen.
  void add(const EventBatch& history);
  /// `batch` without the events the history already showed; malformed lines always pass.
  EventBatch unseen(const EventBatch& batch) const;
  bool isEmpty() const { return !started_; }
  void clear() { *this = ShownHistory(); }

 private:
  bool shown(const EngineEvent& event) const;

  bool started_ = false;  ///< a run_started read from the store was shown
  qint64 step_ = -1;      ///< highest step event
  qint64 eval_step_ = -1;
  qint64 checkpoint_step_ = -1;
  qint64 sample_step_ = -1;
  /// Prompt and text of the samples at sample_step_: an evaluation's samples are committed one by
  /// one, so the history may hold only some of that step's.
  QSet<QString> last_samples_;
};

}  // namespace temper::studio
