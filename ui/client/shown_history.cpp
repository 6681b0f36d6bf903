#include "ui/client/shown_history.h"

namespace temper::studio {
namespace {

QString sampleKey(const EngineEvent& sample) { return sample.text("prompt") + QChar(0x1f) + sample.text("text"); }

}  // namespace

void ShownHistory::add(const EventBatch& history) {
  for (const EngineEvent& e : history.events) {
    const qint64 step = e.integer("step", -1);
    if (e.type == QLatin1String("run_started")) {
      started_ = true;
    } else if (e.type == QLatin1String("step")) {
      step_ = qMax(step_, step);
    } else if (e.type == QLatin1String("eval")) {
      eval_step_ = qMax(eval_step_, step);
    } else if (e.type == QLatin1String("checkpoint_saved")) {
      checkpoint_step_ = qMax(checkpoint_step_, step);
    } else if (e.type == QLatin1String("sample") && step >= sample_step_) {
      if (step > sample_step_) last_samples_.clear();
      sample_step_ = step;
      last_samples_.insert(sampleKey(e));
    }
  }
}

bool ShownHistory::shown(const EngineEvent& e) const {
  const qint64 step = e.integer("step", -1);
  if (e.type == QLatin1String("run_started")) {
    // A follower's first poll announces the run again; the engine's own run_started (a resume)
    // is news.
    return started_ && e.fields.value(QStringLiteral("followed_from_store")).toBool();
  }
  if (e.type == QLatin1String("step")) return step <= step_;
  if (e.type == QLatin1String("eval")) return step <= eval_step_;
  if (e.type == QLatin1String("checkpoint_saved")) return step <= checkpoint_step_;
  if (e.type == QLatin1String("sample")) {
    return step < sample_step_ || (step == sample_step_ && last_samples_.contains(sampleKey(e)));
  }
  return false;  // logs, errors and the run's end are never part of the stored history
}

EventBatch ShownHistory::unseen(const EventBatch& batch) const {
  if (isEmpty()) return batch;
  EventBatch rest;
  rest.malformed_lines = batch.malformed_lines;
  for (const EngineEvent& e : batch.events) {
    if (!shown(e)) rest.events.push_back(e);
  }
  return rest;
}

}  // namespace temper::studio
