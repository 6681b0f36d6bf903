#include "ui/pages/run_view/run_view.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFont>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>
#include <memory>
#include <utility>

#include "ui/client/run_channel.h"
#include "ui/client/run_follower.h"
#include "ui/client/run_history_model.h"
#include "ui/pages/run_view/checkpoint_eval.h"
#include "ui/pages/run_view/rollout_table_model.h"
#include "ui/plot/live_run_plot.h"
#include "ui/plot/method_metrics_view.h"

namespace temper::studio {

RunView::RunView(QString database_path, QString workspace, QWidget* parent)
    : QWidget(parent), database_path_(std::move(database_path)), workspace_(std::move(workspace)) {
  title_ = new QLabel(tr("No run"), this);
  QFont heading = title_->font();
  heading.setPointSizeF(heading.pointSizeF() * 1.4);
  heading.setBold(true);
  title_->setFont(heading);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  status_ = new QLabel(this);
  cancel_ = new QPushButton(tr("Stop (keeps a checkpoint)"), this);
  cancel_->setEnabled(false);
  // The loop's next step from a reward model: a policy trained against it (PPO, GRPO, RLOO).
  train_policy_ = new QPushButton(tr("Train a policy with this reward model…"), this);
  train_policy_->setObjectName(QStringLiteral("trainPolicy"));
  train_policy_->setVisible(false);
  connect(train_policy_, &QPushButton::clicked, this,
          [this] { Q_EMIT trainWithRewardModelRequested(QDir(run_dir_).filePath(QStringLiteral("final"))); });
  auto* header = new QHBoxLayout;
  header->addWidget(title_, 1);
  header->addWidget(status_);
  header->addWidget(train_policy_);
  header->addWidget(cancel_);

  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progress_->setFormat(tr("step %v of %m"));
  eta_ = new QLabel(this);
  throughput_ = new QLabel(this);
  elapsed_ = new QLabel(this);
  loss_ = new QLabel(this);
  auto* figures = new QHBoxLayout;
  for (QLabel* l : {loss_, throughput_, elapsed_, eta_}) {
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    figures->addWidget(l);
  }
  figures->addStretch(1);
  evaluation_ = new QLabel(this);
  evaluation_->setObjectName(QStringLiteral("checkpointEvaluation"));
  evaluation_->setWordWrap(true);
  evaluation_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  evaluation_->setVisible(false);
  evaluator_ = new CheckpointEvaluation(this);

  const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  samples_ = new QPlainTextEdit(this);
  samples_->setReadOnly(true);
  samples_->setPlaceholderText(tr("Samples appear after each evaluation."));
  samples_->setFont(mono);
  log_ = new QPlainTextEdit(this);
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  log_->setFont(mono);
  log_->setPlaceholderText(tr("The run's log."));
  log_->setLineWrapMode(QPlainTextEdit::NoWrap);

  // A rewarded method's samples (scores with each) as a table, newest on top; other methods' as text.
  rollouts_ = new RolloutTableModel(this);
  rollout_view_ = new QTableView(this);
  rollout_view_->setObjectName(QStringLiteral("rollouts"));
  rollout_view_->setModel(rollouts_);
  rollout_view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  rollout_view_->setWordWrap(false);
  rollout_view_->verticalHeader()->hide();
  rollout_view_->verticalHeader()->setDefaultSectionSize(rollout_view_->fontMetrics().height() + 6);
  rollout_view_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  rollout_view_->horizontalHeader()->setSectionResizeMode(RolloutTableModel::kPrompt, QHeaderView::Interactive);
  rollout_view_->horizontalHeader()->setSectionResizeMode(RolloutTableModel::kCompletion, QHeaderView::Stretch);
  connect(rollouts_, &QAbstractItemModel::modelReset, rollout_view_, [this] {
    rollout_view_->horizontalHeader()->setSectionResizeMode(RolloutTableModel::kPrompt, QHeaderView::Interactive);
    rollout_view_->horizontalHeader()->setSectionResizeMode(RolloutTableModel::kCompletion, QHeaderView::Stretch);
    rollout_view_->setColumnWidth(RolloutTableModel::kPrompt, 120);
  });
  samples_stack_ = new QStackedWidget(this);
  samples_stack_->addWidget(samples_);
  samples_stack_->addWidget(rollout_view_);
  auto* side = new QSplitter(Qt::Vertical, this);
  side->setMinimumWidth(side_min_width_hint_);
  side->addWidget(samples_stack_);
  side->addWidget(log_);
  auto* body = new QSplitter(Qt::Horizontal, this);
  plot_ = new LiveRunPlot(this);
  plot_widget_ = plot_;
  // The method's own measures (rewards, KL, margins, ...) beneath the loss, once there are any.
  method_metrics_ = new MethodMetricsView(this);
  method_metrics_->setObjectName(QStringLiteral("methodMetrics"));
  auto* method_scroll = new QScrollArea(this);
  method_scroll->setWidget(method_metrics_);
  method_scroll->setWidgetResizable(true);
  method_scroll->setFrameShape(QFrame::NoFrame);
  method_scroll->setVisible(false);
  auto* plots = new QSplitter(Qt::Vertical, this);
  plots->addWidget(plot_);
  plots->addWidget(method_scroll);
  plots->setStretchFactor(0, 3);
  plots->setStretchFactor(1, 2);
  connect(method_metrics_, &MethodMetricsView::emptyChanged, method_scroll, [method_scroll, plots](bool empty) {
    method_scroll->setVisible(!empty);
    // Shown late, it would get only what the loss plot leaves: give it two fifths instead.
    if (!empty) plots->setSizes({plots->height() * 3 / 5, plots->height() - plots->height() * 3 / 5});
  });
  body->addWidget(plots);
  body->addWidget(side);
  body->setStretchFactor(0, 3);
  body->setStretchFactor(1, 2);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(header);
  layout->addWidget(progress_);
  layout->addLayout(figures);
  layout->addWidget(evaluation_);
  layout->addWidget(body, 1);

  connect(cancel_, &QPushButton::clicked, this, [this] {
    if (channel_) {
      channel_->cancel();
      cancel_->setEnabled(false);
      appendLog(tr("Stop requested: the engine finishes its step and saves a checkpoint."));
    }
  });
  connect(evaluator_, &CheckpointEvaluation::finished, this,
          [this](bool ok, const QString& summary, const QJsonObject&) {
            const QString text = evaluation_heading_ + (ok ? summary : tr("failed: %1").arg(summary));
            evaluation_->setText(text);
            appendLog(text);
          });
  plot_->setEvaluateAvailable(true);
  plot_->setPlaygroundAvailable(true);
  connect(plot_, &LiveRunPlot::evaluateRequested, this, [this](const QString&, qint64 step) { askAndEvaluate(step); });
  connect(plot_, &LiveRunPlot::openInPlaygroundRequested, this, [this](const QString&, qint64 step) {
    const QString dir = checkpointPath(step);
    if (!dir.isEmpty()) Q_EMIT openInPlaygroundRequested(dir);
  });
}

void RunView::askAndEvaluate(qint64 step) {
  if (checkpointPath(step).isEmpty()) return;
  const bool classifier = method_ == QLatin1String("classify");
  const QString file =
      QFileDialog::getOpenFileName(this, tr("Evaluate the checkpoint of step %1 on…").arg(step), QString(),
                                   classifier ? tr("Labelled records (*.jsonl *.json *.csv);;All files (*)")
                                              : tr("Text (*.txt *.md);;All files (*)"));
  if (!file.isEmpty()) evaluateCheckpoint(step, file);
}

bool RunView::evaluateCheckpoint(qint64 step, const QString& data_file) {
  const QString dir = checkpointPath(step);
  if (dir.isEmpty()) return false;
  evaluation_heading_ = tr("Step %1 on %2: ").arg(step).arg(QFileInfo(data_file).fileName());
  evaluation_->setText(evaluation_heading_ + tr("evaluating…"));
  evaluation_->setVisible(true);
  evaluator_->start(engine_, dir, data_file);
  return true;
}

bool RunView::isEvaluating() const { return evaluator_->isRunning(); }

QString RunView::evaluationText() const { return evaluation_->text(); }

void RunView::reset(const QString& run_id) {
  run_id_ = run_id;
  max_steps_ = 0;
  first_step_ = -1;
  last_step_ = 0;
  last_wall_s_ = first_wall_s_ = tokens_per_s_ = 0;
  batches_applied_ = 0;
  if (history_loader_) {  // a read for an earlier channel (rare: a view is attached once)
    history_loader_->wait();
    delete history_loader_;
    history_loader_ = nullptr;
  }
  ++history_generation_;
  held_batches_.clear();
  held_outcome_.reset();
  shown_.clear();
  method_.clear();
  checkpoint_paths_.clear();
  evaluation_->clear();
  evaluation_->setVisible(false);
  samples_->clear();
  train_policy_->setVisible(false);
  run_dir_.clear();
  rollouts_->clear();
  samples_stack_->setCurrentWidget(samples_);
  log_->clear();
  progress_->setRange(0, 1);
  progress_->setValue(0);
  for (QLabel* l : {eta_, throughput_, elapsed_, loss_}) l->clear();
  plot_->clear();
  method_metrics_->clear();
  title_->setText(run_id.isEmpty() ? tr("Starting run…") : run_id);
  Q_EMIT titleChanged(title_->text());
}

void RunView::attach(RunChannel* channel) {
  connectChannel(channel);
  // The channel's events so far went elsewhere (a follower polls on its own from the moment the
  // studio re-attaches; a job's view may have been closed): they are only in the store now.
  if (!channel->runId().isEmpty()) loadStoredHistory(channel->runId());
}

void RunView::connectChannel(RunChannel* channel) {
  if (channel_) disconnect(channel_, nullptr, this, nullptr);
  reset(channel->runId());
  channel_ = channel;
  setStatus(QStringLiteral("running"));
  cancel_->setEnabled(true);
  connect(channel, &RunChannel::eventsReady, this, &RunView::applyChannelBatch);
  connect(channel, &RunChannel::ended, this, [this](const JobOutcome& outcome) {
    if (history_loader_) {
      held_outcome_ = outcome;
    } else {
      applyOutcome(outcome);
    }
  });
  connect(channel, &RunChannel::runIdKnown, this, [this](const QString& id) {
    run_id_ = id;
    title_->setText(id);
    Q_EMIT titleChanged(id);
  });
}

RunView::~RunView() {
  if (history_loader_) {
    history_loader_->wait();
    delete history_loader_;
  }
}

void RunView::loadStoredHistory(const QString& run_id, RunFollower* follower) {
  // A follower of our own, read once on a worker (it opens its own read-only connection there and
  // closes it there): the same events, in the same order, as a first poll.
  auto history = std::make_shared<EventBatch>();
  auto position = std::make_shared<RunFollower::Position>();
  const QString database = database_path_;
  const QString workspace = workspace_;
  const int generation = history_generation_;
  history_loader_ = QThread::create([database, workspace, run_id, history, position] {
    RunFollower reader(database, workspace, run_id);
    *history = reader.readNew();
    *position = reader.position();
  });
  connect(history_loader_, &QThread::finished, this,
          [this, history, position, generation, resume = QPointer<RunFollower>(follower)] {
            if (generation != history_generation_) return;  // reset() has waited for that read and deleted it
            history_loader_->deleteLater();
            history_loader_ = nullptr;
            // What a channel of its own sends next starts where this read ended; another channel's
            // batches may repeat it.
            if (!resume) shown_.add(*history);
            if (!history->isEmpty()) applyBatch(*history);
            const QVector<EventBatch> held = std::exchange(held_batches_, {});
            for (const EventBatch& batch : held) applyChannelBatch(batch);
            if (std::optional<JobOutcome> outcome = std::exchange(held_outcome_, std::nullopt)) {
              applyOutcome(*outcome);
            }
            if (resume) {
              resume->resumeFrom(*position);
              resume->start();
              resume->poll();  // what came since, and the run's end if it has one, at once
              if (resume && resume->isActive() && resume->pid() > 0) {
                cancel_->setEnabled(true);
                setStatus(QStringLiteral("running"));
              }
            }
            Q_EMIT historyLoaded();
          });
  history_loader_->start();
}

void RunView::applyChannelBatch(const EventBatch& batch) {
  if (history_loader_) {  // shown after the history, in order
    held_batches_.push_back(batch);
    return;
  }
  const EventBatch unseen = shown_.unseen(batch);
  if (!unseen.isEmpty()) applyBatch(unseen);
}

void RunView::showStoredRun(const QString& run_id) {
  // Its own follower goes on from the history read on a worker (loadStoredHistory).
  auto* follower = new RunFollower(database_path_, workspace_, run_id, this);
  connectChannel(follower);
  cancel_->setEnabled(false);  // enabled again below only if the run turns out to be live
  setStatus(QString());
  connect(follower, &RunChannel::ended, follower, &QObject::deleteLater);
  connect(follower, &RunChannel::eventsReady, this, [this, follower] {
    if (follower->isActive() && follower->pid() > 0) {
      cancel_->setEnabled(true);
      setStatus(QStringLiteral("running"));
    }
  });
  loadStoredHistory(run_id, follower);
}

void RunView::setStatus(const QString& status) {
  status_->setText(status.isEmpty() ? QString() : QStringLiteral("<b>%1</b>").arg(tr(qPrintable(status))));
}

void RunView::appendLog(const QString& line) { log_->appendPlainText(line); }

QString RunView::etaText() const { return eta_->text(); }
QString RunView::throughputText() const { return throughput_->text(); }
QString RunView::elapsedText() const { return elapsed_->text(); }

void RunView::applyBatch(const EventBatch& batch) {
  ++batches_applied_;
  const EngineEvent* last_step = nullptr;
  for (const EngineEvent& e : batch.events) {
    if (e.type == QLatin1String("run_started")) {
      const QJsonObject config = e.fields.value(QStringLiteral("config")).toObject();
      max_steps_ = config.value(QStringLiteral("max-steps")).toInteger(max_steps_);
      method_ = config.value(QStringLiteral("method")).toString(method_);
      // A classifier answers with labels, not text: nothing to chat with.
      const bool classifier = method_ == QLatin1String("classify");
      plot_->setPlaygroundAvailable(!classifier, classifier ? tr("A classifier is not a chat model") : QString());
      if (!e.run_id.isEmpty()) run_id_ = e.run_id;
      if (!e.text("run_dir").isEmpty()) run_dir_ = e.text("run_dir");
      QString name = e.text("name");  // the store's name, when followed from the store
      if (name.isEmpty()) name = config.value(QStringLiteral("name")).toString();
      title_->setText(name.isEmpty() ? run_id_ : QStringLiteral("%1  (%2)").arg(name, run_id_));
      Q_EMIT titleChanged(title_->text());
      appendLog(e.fields.value(QStringLiteral("resumed")).toBool()
                    ? tr("Resumed at step %1.").arg(e.integer("start_step"))
                    : (e.fields.value(QStringLiteral("followed_from_store")).toBool()
                           ? tr("Following run %1 from the store.").arg(run_id_)
                           : tr("Run %1 started.").arg(run_id_)));
    } else if (e.type == QLatin1String("step")) {
      last_step = &e;
      if (e.integer("max_steps") > 0) max_steps_ = e.integer("max_steps");
      const qint64 step = e.integer("step");
      const double wall = e.number("wall_time_s");
      if (first_step_ < 0) {
        first_step_ = step;
        first_wall_s_ = wall;
      }
      last_step_ = step;
      last_wall_s_ = wall;
      tokens_per_s_ = e.number("tokens_per_s", -1);
    } else if (e.type == QLatin1String("eval")) {
      if (e.fields.contains(QStringLiteral("val_loss"))) {
        appendLog(tr("step %1: validation loss %2").arg(e.integer("step")).arg(e.number("val_loss"), 0, 'f', 4));
      }
    } else if (e.type == QLatin1String("sample")) {
      // What the method scored it with (GRPO: the reward and each rule's part): a rollouts table.
      const QJsonObject scores = e.fields.value(QStringLiteral("scores")).toObject();
      if (!scores.isEmpty()) {
        rollouts_->addSample(e.integer("step"), e.text("prompt"), e.text("text"), scores);
        samples_stack_->setCurrentWidget(rollout_view_);
      } else {
        // The text already starts with its prompt; surrounding newlines (a "\n" prompt) only add gaps.
        samples_->appendPlainText(tr("— step %1 —").arg(e.integer("step")));
        samples_->appendPlainText(e.text("text").trimmed());
        samples_->appendPlainText(QString());
      }
    } else if (e.type == QLatin1String("checkpoint_saved")) {
      appendLog(tr("checkpoint at step %1: %2").arg(e.integer("step")).arg(e.text("path")));
      checkpoint_paths_.insert(e.integer("step"), e.text("path"));
    } else if (e.isRunEnd()) {
      train_policy_->setVisible(method_ == QLatin1String("reward-model") &&
                                e.text("status") == QLatin1String("finished") && !run_dir_.isEmpty());
      const QString reason = e.text("reason");
      appendLog(tr("Run %1 at step %2%3")
                    .arg(e.text("status"))
                    .arg(e.integer("step"))
                    .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
    } else if (e.type == QLatin1String("error") || e.type == QLatin1String("log")) {
      appendLog(e.text("message"));
    }
  }
  for (const QString& line : batch.malformed_lines) appendLog(line);
  if (last_step) {
    // One log line per batch, not per step: a fast run prints hundreds of steps a second.
    appendLog(tr("step %1/%2  loss %3  lr %4")
                  .arg(last_step_)
                  .arg(max_steps_)
                  .arg(last_step->number("loss"), 0, 'f', 4)
                  .arg(last_step->number("lr"), 0, 'g', 3));
    loss_->setText(tr("loss %1").arg(last_step->number("loss"), 0, 'f', 4));
  }
  if (max_steps_ > 0) {
    progress_->setFormat(tr("step %v of %m"));
    progress_->setRange(0, static_cast<int>(qMin<qint64>(max_steps_, INT_MAX)));
    progress_->setValue(static_cast<int>(qMin(last_step_, max_steps_)));
  } else if (last_step_ > 0) {
    // The run's max-steps is unknown (an older store record): show the step, not a fraction.
    progress_->setFormat(tr("step %v"));
    progress_->setRange(0, static_cast<int>(qMin<qint64>(last_step_, INT_MAX)));
    progress_->setValue(progress_->maximum());
  }
  if (last_step_ > 0) {
    throughput_->setText(tokens_per_s_ >= 0 ? tr("%1 tokens/s").arg(QLocale().toString(tokens_per_s_, 'f', 0))
                                            : QString());
    elapsed_->setText(tr("elapsed %1").arg(formatDuration(last_wall_s_)));
    // ETA from this session's own pace (a resumed run's earlier steps ran at another speed).
    const double steps_done = static_cast<double>(last_step_ - first_step_);
    if (steps_done > 0 && last_wall_s_ > first_wall_s_ && max_steps_ > last_step_) {
      const double per_step = (last_wall_s_ - first_wall_s_) / steps_done;
      eta_->setText(tr("ETA %1").arg(formatDuration(per_step * static_cast<double>(max_steps_ - last_step_))));
    } else {
      eta_->setText(max_steps_ > 0 && last_step_ >= max_steps_ ? tr("done") : QString());
    }
  }
  feedPlot(batch);
}

void RunView::feedPlot(const EventBatch& batch) {
  QVector<MetricSample> samples, method_samples;
  // A step's or an evaluation's `metrics`, named as the store names them (train_x, val_x).
  auto methodMeasures = [&](const EngineEvent& e, const QString& prefix, double wall) {
    const QJsonObject metrics = e.fields.value(QStringLiteral("metrics")).toObject();
    for (auto it = metrics.begin(); it != metrics.end(); ++it) {
      method_samples.push_back(
          {e.run_id, prefix + it.key(), e.integer("step"), e.integer("tokens_seen"), wall, it.value().toDouble()});
    }
  };
  for (const EngineEvent& e : batch.events) {
    if (e.type == QLatin1String("step")) {
      for (const char* key : {metric::kLoss, metric::kLr, metric::kGradNorm, metric::kTokensPerS}) {
        if (!e.fields.contains(QLatin1String(key))) continue;
        samples.push_back({e.run_id, QLatin1String(key), e.integer("step"), e.integer("tokens_seen"),
                           e.number("wall_time_s"), e.number(key)});
      }
      methodMeasures(e, QStringLiteral("train_"), e.number("wall_time_s"));
    } else if (e.type == QLatin1String("eval")) {
      methodMeasures(e, QStringLiteral("val_"), last_wall_s_);
      if (!e.fields.contains(QStringLiteral("val_loss"))) continue;
      samples.push_back({e.run_id, QLatin1String(metric::kValLoss), e.integer("step"), e.integer("tokens_seen"),
                         last_wall_s_, e.number("val_loss")});
    } else if (e.type == QLatin1String("checkpoint_saved")) {
      CheckpointMark mark;
      mark.run = e.run_id;
      mark.step = e.integer("step");
      plot_->addCheckpoint(mark);
    }
  }
  if (!samples.isEmpty()) plot_->appendSamples(samples);
  if (!method_samples.isEmpty()) method_metrics_->appendSamples(method_samples);
}

void RunView::applyOutcome(const JobOutcome& outcome) {
  cancel_->setEnabled(false);
  setStatus(outcome.status);
  if (outcome.status == QLatin1String("failed")) {
    appendLog(tr("Failed: %1").arg(outcome.reason));
    for (const QString& line : outcome.stderr_tail) log_->appendPlainText(QStringLiteral("  | ") + line);
  }
  if (outcome.status == QLatin1String("finished") && max_steps_ > 0) eta_->setText(tr("done"));
}

}  // namespace temper::studio
