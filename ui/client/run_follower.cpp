#include "ui/client/run_follower.h"

#include <signal.h>

#include <QDateTime>
#include <QJsonDocument>
#include <map>

#include "core/common/error.h"
#include "ui/client/process_probe.h"

namespace temper::studio {
namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

// The metric names the engine records per step (core/engine/run_recorder.cpp) and the step-event
// keys they come from.
const std::map<std::string, const char*>& stepMetricKeys() {
  static const std::map<std::string, const char*> keys = {
      {"train_loss", "loss"}, {"lr", "lr"}, {"grad_norm", "grad_norm"}, {"tokens_per_s", "tokens_per_s"}};
  return keys;
}

}  // namespace

RunFollower::RunFollower(QString database_path, QString workspace, QString run_id, QObject* parent)
    : RunChannel(parent),
      database_path_(std::move(database_path)),
      workspace_(std::move(workspace)),
      run_id_(std::move(run_id)) {
  connect(&timer_, &QTimer::timeout, this, &RunFollower::poll);
}

void RunFollower::start(int poll_ms) {
  active_ = true;
  timer_.start(poll_ms);
  // Queued, not now: whoever gets this follower from RunManager connects first, then the run's
  // history so far arrives as one batch.
  QTimer::singleShot(0, this, &RunFollower::poll);
}

EngineEvent RunFollower::makeEvent(const QString& type) const {
  EngineEvent event;
  event.type = type;
  event.run_id = run_id_;
  event.time = static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
  event.fields.insert(QStringLiteral("v"), 1);
  event.fields.insert(QStringLiteral("type"), type);
  event.fields.insert(QStringLiteral("run_id"), run_id_);
  event.fields.insert(QStringLiteral("t"), event.time);
  return event;
}

void RunFollower::appendNewMetrics(EventBatch& batch, const RunRecord& run) {
  // Only what is new since the last poll, per metric name (an evaluation's point may be committed
  // after the steps that follow it): one seek per name that moved, plus the new points.
  const std::vector<MetricPoint> fresh = store_->metricsSince(run.id, read_up_to_);
  if (fresh.empty()) return;
  std::map<int64_t, EngineEvent> steps;
  std::map<int64_t, EngineEvent> evals;
  for (const MetricPoint& point : fresh) {
    int64_t& read = read_up_to_[point.name];
    read = std::max(read, point.step);
    if (point.name == "val_loss") {
      EngineEvent event = makeEvent(QStringLiteral("eval"));
      event.fields.insert(QStringLiteral("step"), static_cast<qint64>(point.step));
      event.fields.insert(QStringLiteral("tokens_seen"), static_cast<qint64>(point.tokens_seen));
      event.fields.insert(QStringLiteral("val_loss"), point.value);
      evals[point.step] = event;
      continue;
    }
    auto key = stepMetricKeys().find(point.name);
    if (key == stepMetricKeys().end()) continue;
    auto [it, inserted] = steps.try_emplace(point.step, makeEvent(QStringLiteral("step")));
    QJsonObject& fields = it->second.fields;
    if (inserted) {
      fields.insert(QStringLiteral("step"), static_cast<qint64>(point.step));
      fields.insert(QStringLiteral("max_steps"), max_steps_);
      fields.insert(QStringLiteral("tokens_seen"), static_cast<qint64>(point.tokens_seen));
      fields.insert(QStringLiteral("wall_time_s"), point.wall_time_s);
    }
    fields.insert(QLatin1String(key->second), point.value);
  }
  // Step events of step N before its eval, as the engine prints them.
  auto step_it = steps.begin();
  for (auto& [step, eval] : evals) {
    for (; step_it != steps.end() && step_it->first <= step; ++step_it) batch.events.push_back(step_it->second);
    batch.events.push_back(eval);
  }
  for (; step_it != steps.end(); ++step_it) batch.events.push_back(step_it->second);
  for (const auto& [step, event] : steps) last_step_ = std::max<qint64>(last_step_, step);
}

void RunFollower::appendNewSamples(EventBatch& batch) {
  // Only the samples added since the last poll (their texts are the bulk of a run's rows).
  for (const SampleRecord& sample : store_->samplesAddedSince(run_id_.toStdString(), samples_cursor_)) {
    EngineEvent event = makeEvent(QStringLiteral("sample"));
    event.fields.insert(QStringLiteral("step"), static_cast<qint64>(sample.step));
    event.fields.insert(QStringLiteral("prompt"), q(sample.prompt));
    event.fields.insert(QStringLiteral("text"), q(sample.text));
    batch.events.push_back(event);
  }
}

void RunFollower::appendNewCheckpoints(EventBatch& batch) {
  for (const CheckpointRecord& checkpoint : store_->checkpoints(run_id_.toStdString())) {
    if (checkpoint.step <= last_checkpoint_step_) continue;
    EngineEvent event = makeEvent(QStringLiteral("checkpoint_saved"));
    event.fields.insert(QStringLiteral("step"), static_cast<qint64>(checkpoint.step));
    event.fields.insert(QStringLiteral("path"), q(checkpoint.path));
    batch.events.push_back(event);
    last_checkpoint_step_ = checkpoint.step;
  }
}

void RunFollower::finish(const RunRecord& run, EventBatch& batch, const QString& status, const QString& reason) {
  EngineEvent end = makeEvent(QStringLiteral("run_") + status);
  end.fields.insert(QStringLiteral("status"), status);
  end.fields.insert(QStringLiteral("reason"), reason);
  end.fields.insert(QStringLiteral("step"), last_step_);
  batch.events.push_back(end);
  Q_EMIT eventsReady(batch);
  timer_.stop();
  active_ = false;
  Q_EMIT ended({status, reason, run_id_, 0, false, {}});
}

std::optional<RunRecord> RunFollower::readInto(EventBatch& batch) {
  if (!store_) store_.emplace(Store::openReadOnly(database_path_.toStdString()));
  std::optional<RunRecord> run = store_->findRun(run_id_.toStdString());
  if (!run) return run;
  if (run->pid > 0) pid_ = run->pid;
  if (!started_sent_) {
    const QJsonObject config = QJsonDocument::fromJson(QByteArray::fromStdString(run->config_json)).object();
    const QJsonObject train = config.value(QStringLiteral("train")).toObject();
    max_steps_ = train.value(QStringLiteral("max-steps")).toInteger();
    EngineEvent started = makeEvent(QStringLiteral("run_started"));
    started.fields.insert(QStringLiteral("config"), train);
    started.fields.insert(QStringLiteral("run_dir"), q(run->run_dir));
    started.fields.insert(QStringLiteral("resumed"), false);
    started.fields.insert(QStringLiteral("start_step"), 0);
    started.fields.insert(QStringLiteral("followed_from_store"), true);
    started.fields.insert(QStringLiteral("name"), q(run->name));  // the store's name (renames included)
    batch.events.push_back(started);
    started_sent_ = true;
  }
  appendNewMetrics(batch, *run);
  appendNewSamples(batch);
  appendNewCheckpoints(batch);
  return run;
}

EventBatch RunFollower::readNew() {
  EventBatch batch;
  try {
    readInto(batch);
  } catch (const Error& e) {
    batch.malformed_lines.push_back(tr("store: %1").arg(QString::fromUtf8(e.what())));
  }
  return batch;
}

void RunFollower::poll() {
  if (!active_) return;
  EventBatch batch;
  try {
    std::optional<RunRecord> run = readInto(batch);
    if (!run) {
      finish(RunRecord{}, batch, QStringLiteral("failed"), tr("The run was deleted from the store."));
      return;
    }
    if (isFinalRunStatus(run->status)) {
      finish(*run, batch, q(run->status), q(run->error_message));
      return;
    }
    if (run->status == kRunRunning && !processAlive(run->pid) && !workspaceLockHeld(workspace_)) {
      finish(*run, batch, QStringLiteral("failed"), tr("The engine process ended without finishing the run."));
      return;
    }
  } catch (const Error& e) {
    // The store may be briefly unreadable (being created, migrated): say so and try again.
    batch.malformed_lines.push_back(tr("store: %1").arg(QString::fromUtf8(e.what())));
  }
  if (!batch.isEmpty()) Q_EMIT eventsReady(batch);
}

void RunFollower::cancel() {
  if (active_ && processAlive(pid_)) ::kill(static_cast<pid_t>(pid_), SIGTERM);
}

}  // namespace temper::studio
