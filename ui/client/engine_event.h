#pragma once
/// One engine event (docs/events.md) as the studio sees it, and the batches the client hands to
/// widgets. Plain values: cheap to copy (QJsonObject and QString are implicitly shared).
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace temper::studio {

/// A parsed line of the engine's JSON-lines protocol (version 1). `fields` keeps the whole object
/// so keys added by later engines are not lost; the accessors read the common ones.
struct EngineEvent {
  QString type;     ///< "step", "eval", "sample", "checkpoint_saved", "run_finished", ...
  QString run_id;   ///< empty for jobs that are not runs
  double time = 0;  ///< unix seconds (`t`)
  QJsonObject fields;

  /// The number under `key`, or `fallback` when absent or not a number.
  double number(const char* key, double fallback = 0) const;
  qint64 integer(const char* key, qint64 fallback = 0) const;
  QString text(const char* key) const;
  bool isRunEnd() const;  ///< run_finished, run_cancelled or run_failed
};

/// What the client delivers per coalescing tick: every event parsed since the last tick, in
/// order, plus stdout lines that were not events (shown in the run's log, never dropped silently).
struct EventBatch {
  QVector<EngineEvent> events;
  QStringList malformed_lines;

  bool isEmpty() const { return events.isEmpty() && malformed_lines.isEmpty(); }
  void append(const EventBatch& other);
};

/// How a job ended. `status` uses the store's words: "finished", "cancelled" or "failed".
struct JobOutcome {
  QString status;
  QString reason;           ///< a sentence for people
  QString run_id;           ///< empty when the job never reported one
  int exit_code = 0;        ///< -1 when the process was killed by a signal or never started
  bool crashed = false;     ///< killed by a signal (including our own kill after a cancel timeout)
  QStringList stderr_tail;  ///< the last lines the engine wrote on stderr
};

}  // namespace temper::studio

Q_DECLARE_METATYPE(temper::studio::EngineEvent)
Q_DECLARE_METATYPE(temper::studio::EventBatch)
Q_DECLARE_METATYPE(temper::studio::JobOutcome)
