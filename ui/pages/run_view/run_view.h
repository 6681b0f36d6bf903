#pragma once
/// One run, live or past: progress with ETA, tokens/s and elapsed time, the loss plot
/// (LiveRunPlot), the samples of each evaluation (a table of rollouts with their rewards for the
/// methods that score them), and the run's log. It reads
/// a RunChannel: the engine job the studio started, a re-attached run, or (for a run opened from
/// the history) its own RunFollower over the store. A run that was already training when its view
/// opened shows its history from the store first, then the channel's events from there on. A
/// checkpoint selected on the plot can be evaluated (`temper eval`, CheckpointEvaluation; the
/// result is shown above the plot) or opened in the Playground.
#include <QElapsedTimer>
#include <QMap>
#include <QPointer>
#include <QWidget>
#include <optional>

#include "ui/client/engine_event.h"
#include "ui/client/shown_history.h"

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableView;
class QThread;

namespace temper::studio {

class CheckpointEvaluation;
class EngineQueries;
class LiveRunPlot;
class MethodMetricsView;
class RunChannel;
class RolloutTableModel;
class RunFollower;

class RunView : public QWidget {
  Q_OBJECT
 public:
  RunView(QString database_path, QString workspace, QWidget* parent = nullptr);
  /// Waits for a history read still under way (its thread must end before its QThread goes).
  ~RunView() override;

  /// Shows a run the studio is running or following (not owned). A channel that already names its
  /// run has been delivering to others (a re-attached run, one started from a terminal, a job whose
  /// tab was closed): the run's history is read from the store first, on a worker thread (its own
  /// read-only connection), then historyLoaded(); the channel's events that arrive meanwhile wait
  /// for it, and those it already covers are not shown again.
  void attach(RunChannel* channel);
  /// True from attach() on a named run, or showStoredRun(), until its history is shown.
  bool isLoadingHistory() const { return history_loader_ != nullptr; }
  /// Shows a run from the store (follows it if it is still training elsewhere). Its history is read
  /// on a worker thread, as attach() reads it, then historyLoaded().
  void showStoredRun(const QString& run_id);

  /// Applies one coalesced batch (public so tests can feed events without a process).
  void applyBatch(const EventBatch& batch);
  void applyOutcome(const JobOutcome& outcome);

  QString runId() const { return run_id_; }
  QProgressBar* progressBar() const { return progress_; }
  QString etaText() const;
  QString throughputText() const;
  QString elapsedText() const;
  QPlainTextEdit* log() const { return log_; }
  QPlainTextEdit* samples() const { return samples_; }
  QPushButton* trainPolicyButton() const { return train_policy_; }
  /// A rewarded method's samples with their scores, newest on top (shown instead of samples()
  /// once the run has sent one).
  RolloutTableModel* rollouts() const { return rollouts_; }
  QTableView* rolloutView() const { return rollout_view_; }
  /// The embedded plot (a LiveRunPlot).
  QWidget* plot() const { return plot_widget_; }
  /// The method's own measures beneath the plot (hidden until the run reports any).
  MethodMetricsView* methodMetrics() const { return method_metrics_; }
  int batchesApplied() const { return batches_applied_; }

  /// The engine that evaluates checkpoints (not owned; the main window's EngineSession).
  void setEngine(EngineQueries* engine) { engine_ = engine; }
  /// The folder of the checkpoint saved at `step` ("" when this view has not seen one).
  QString checkpointPath(qint64 step) const { return checkpoint_paths_.value(step); }
  /// The run's method (from its config): "classify" is evaluated on labelled records.
  QString method() const { return method_; }
  /// Runs `temper eval` on the checkpoint of `step` with `data_file` (what Evaluate does after
  /// asking for the file); false when there is no such checkpoint.
  bool evaluateCheckpoint(qint64 step, const QString& data_file);
  bool isEvaluating() const;
  /// The last evaluation's result (or error) as shown.
  QString evaluationText() const;

 Q_SIGNALS:
  void titleChanged(const QString& title);
  /// "Open in playground" for the checkpoint folder `dir`.
  void openInPlaygroundRequested(const QString& dir);
  /// The history attach() read from the store is shown (and the channel's events held meanwhile).
  void historyLoaded();
  /// "Train a policy with this reward model" (a finished reward-model run): a new run rewarded by
  /// the model in `final_dir`.
  void trainWithRewardModelRequested(const QString& final_dir);

 private:
  void reset(const QString& run_id);
  void connectChannel(RunChannel* channel);
  /// Shows what the store holds of the run so far (every series, samples, checkpoints).
  /// On a worker thread; `follower` (a view's own, for a run opened from the history) then goes on
  /// from where that read got, its first poll here reading only what came since.
  void loadStoredHistory(const QString& run_id, RunFollower* follower = nullptr);
  void applyChannelBatch(const EventBatch& batch);
  void setStatus(const QString& status);
  void appendLog(const QString& line);
  void feedPlot(const EventBatch& batch);
  void askAndEvaluate(qint64 step);

  QString database_path_;
  QString workspace_;
  QString run_id_;
  QPointer<RunChannel> channel_;
  ShownHistory shown_;  ///< the history read from the store when attaching to a run in progress
  QThread* history_loader_ = nullptr;
  int history_generation_ = 0;              ///< bumped by reset(): a read for an older channel is dropped
  QVector<EventBatch> held_batches_;        ///< the channel's, while the history is read
  std::optional<JobOutcome> held_outcome_;  ///< likewise
  QLabel* title_;
  QLabel* status_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* eta_;
  QLabel* throughput_;
  QLabel* elapsed_;
  QLabel* loss_;
  QLabel* evaluation_;
  CheckpointEvaluation* evaluator_;
  QPushButton* train_policy_;  ///< shown for a finished reward-model run
  QString run_dir_;
  QPlainTextEdit* samples_;
  RolloutTableModel* rollouts_;
  QTableView* rollout_view_;
  QStackedWidget* samples_stack_;
  QPlainTextEdit* log_;
  LiveRunPlot* plot_ = nullptr;
  MethodMetricsView* method_metrics_ = nullptr;
  QWidget* plot_widget_ = nullptr;  ///< the same object, for callers that need no LiveRunPlot header

  qint64 max_steps_ = 0;
  qint64 first_step_ = -1;  ///< first step this view saw (a resumed run starts late)
  double first_wall_s_ = 0;
  qint64 last_step_ = 0;
  double last_wall_s_ = 0;
  double tokens_per_s_ = 0;
  int batches_applied_ = 0;
  EngineQueries* engine_ = nullptr;
  QString method_;
  QMap<qint64, QString> checkpoint_paths_;
  QString evaluation_heading_;     ///< "Step N on FILE: " of the evaluation shown
  int side_min_width_hint_ = 420;  ///< samples and log need room for a sentence
};

}  // namespace temper::studio
