#include "ui/client/run_follower.h"

#include <signal.h>

#include <QDateTime>
#include <QJsonDocument>
#include <QThread>
#include <map>
#include <memory>
#include <utility>

#include "core/common/error.h"
#include "ui/client/process_probe.h"

namespace temper::studio {
namespace {

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

RunFollower::~RunFollower() {
  if (first_read_) {
    first_read_->wait();
    delete first_read_;
  }
}

void RunFollower::start(int poll_ms) {
  active_ = true;
  if (started_sent_ || first_read_) {  // resumed from another's read: only what came since
    timer_.start(poll_ms);
    QTimer::singleShot(0, this, &RunFollower::poll);
    return;
  }
  // The history so far may be long (a million points): read it on a worker with a follower of its
  // own, then go on from where it got. Whoever gets this follower from RunManager has connected by
  // the time it arrives, as one batch.
  auto batch = std::make_shared<EventBatch>();
  auto position = std::make_shared<Position>();
  const QString database = database_path_, workspace = workspace_, run_id = run_id_;
  first_read_ = QThread::create([database, workspace, run_id, batch, position] {
    RunFollower reader(database, workspace, run_id);
    *batch = reader.readNew();
    *position = reader.position();
  });
  connect(first_read_, &QThread::finished, this, [this, batch, position, poll_ms] {
    first_read_->deleteLater();
    first_read_ = nullptr;
    resumeFrom(*position);
    first_batch_ = std::move(*batch);
    if (!active_) return;
    poll();
    if (active_) timer_.start(poll_ms);
  });
  first_read_->start();
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
    // An evaluation: val_loss, and the method's own measures (val_<name>) in its `metrics`.
    if (point.name.rfind("val_", 0) == 0) {
      auto [it, inserted] = evals.try_emplace(point.step, makeEvent(QStringLiteral("eval")));
      QJsonObject& fields = it->second.fields;
      if (inserted) {
        fields.insert(QStringLiteral("step"), static_cast<qint64>(point.step));
        fields.insert(QStringLiteral("tokens_seen"), static_cast<qint64>(point.tokens_seen));
      }
      if (point.name == "val_loss") {
        fields.insert(QStringLiteral("val_loss"), point.value);
      } else {
        QJsonObject metrics = fields.value(QStringLiteral("metrics")).toObject();
        metrics.insert(QString::fromStdString(point.name.substr(4)), point.value);
        fields.insert(QStringLiteral("metrics"), metrics);
      }
      continue;
    }
    auto key = stepMetricKeys().find(point.name);
    const bool method_measure = key == stepMetricKeys().end() && point.name.rfind("train_", 0) == 0;
    if (key == stepMetricKeys().end() && !method_measure) continue;
    auto [it, inserted] = steps.try_emplace(point.step, makeEvent(QStringLiteral("step")));
    QJsonObject& fields = it->second.fields;
    if (inserted) {
      fields.insert(QStringLiteral("step"), static_cast<qint64>(point.step));
      fields.insert(QStringLiteral("max_steps"), max_steps_);
      fields.insert(QStringLiteral("tokens_seen"), static_cast<qint64>(point.tokens_seen));
      fields.insert(QStringLiteral("wall_time_s"), point.wall_time_s);
    }
    if (method_measure) {  // a step's own measures (GRPO's rewards): train_<name> -> metrics.<name>
      QJsonObject metrics = fields.value(QStringLiteral("metrics")).toObject();
      metrics.insert(QString::fromStdString(point.name.substr(6)), point.value);
      fields.insert(QStringLiteral("metrics"), metrics);
    } else {
      fields.insert(QLatin1String(key->second), point.value);
    }
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
    event.fields.insert(QStringLiteral("prompt"), QString::fromStdString(sample.prompt));
    event.fields.insert(QStringLiteral("text"), QString::fromStdString(sample.text));
    const QJsonObject scores = QJsonDocument::fromJson(QByteArray::fromStdString(sample.scores_json)).object();
    if (!scores.isEmpty()) event.fields.insert(QStringLiteral("scores"), scores);
    batch.events.push_back(event);
  }
}

void RunFollower::appendNewCheckpoints(EventBatch& batch) {
  for (const CheckpointRecord& checkpoint : store_->checkpoints(run_id_.toStdString())) {
    if (checkpoint.step <= last_checkpoint_step_) continue;
    EngineEvent event = makeEvent(QStringLiteral("checkpoint_saved"));
    event.fields.insert(QStringLiteral("step"), static_cast<qint64>(checkpoint.step));
    event.fields.insert(QStringLiteral("path"), QString::fromStdString(checkpoint.path));
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
    started.fields.insert(QStringLiteral("run_dir"), QString::fromStdString(run->run_dir));
    started.fields.insert(QStringLiteral("resumed"), false);
    started.fields.insert(QStringLiteral("start_step"), 0);
    started.fields.insert(QStringLiteral("followed_from_store"), true);
    started.fields.insert(QStringLiteral("name"),
                          QString::fromStdString(run->name));  // the store's name (renames included)
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

RunFollower::Position RunFollower::position() const {
  return {started_sent_, pid_, max_steps_, last_step_, read_up_to_, samples_cursor_, last_checkpoint_step_};
}

void RunFollower::resumeFrom(const Position& position) {
  started_sent_ = position.started_sent;
  pid_ = position.pid;
  max_steps_ = position.max_steps;
  last_step_ = position.last_step;
  read_up_to_ = position.read_up_to;
  samples_cursor_ = position.samples_cursor;
  last_checkpoint_step_ = position.last_checkpoint_step;
}

void RunFollower::poll() {
  if (!active_ || first_read_) return;
  EventBatch batch = std::exchange(first_batch_, {});
  try {
    std::optional<RunRecord> run = readInto(batch);
    if (!run) {
      finish(RunRecord{}, batch, QStringLiteral("failed"), tr("The run was deleted from the store."));
      return;
    }
    if (isFinalRunStatus(run->status)) {
      finish(*run, batch, QString::fromStdString(run->status), QString::fromStdString(run->error_message));
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
