#pragma once
/// One run, live or past: progress with ETA, tokens/s and elapsed time, the loss plot (S2's
/// LiveRunPlot when the build has it), the samples of each evaluation, and the run's log. It reads
/// a RunChannel: the engine job the studio started, a re-attached run, or (for a run opened from
/// the history) its own RunFollower over the store.
#include <QElapsedTimer>
#include <QPointer>
#include <QWidget>

#include "ui/client/engine_event.h"

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace temper::studio {

class LiveRunPlot;
class RunChannel;

class RunView : public QWidget {
  Q_OBJECT
 public:
  RunView(QString database_path, QString workspace, QWidget* parent = nullptr);

  /// Shows a run the studio is running or following (not owned).
  void attach(RunChannel* channel);
  /// Shows a run from the store (follows it if it is still training elsewhere).
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
  /// The embedded plot, or null when the build has no ui/plot.
  QWidget* plot() const { return plot_widget_; }
  int batchesApplied() const { return batches_applied_; }

 Q_SIGNALS:
  void titleChanged(const QString& title);

 private:
  void reset(const QString& run_id);
  void setStatus(const QString& status);
  void appendLog(const QString& line);
  void feedPlot(const EventBatch& batch);

  QString database_path_;
  QString workspace_;
  QString run_id_;
  QPointer<RunChannel> channel_;
  QLabel* title_;
  QLabel* status_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* eta_;
  QLabel* throughput_;
  QLabel* elapsed_;
  QLabel* loss_;
  QPlainTextEdit* samples_;
  QPlainTextEdit* log_;
  LiveRunPlot* plot_ = nullptr;
  QWidget* plot_widget_ = nullptr;  ///< the same object; LiveRunPlot is incomplete without ui/plot

  qint64 max_steps_ = 0;
  qint64 first_step_ = -1;  ///< first step this view saw (a resumed run starts late)
  double first_wall_s_ = 0;
  qint64 last_step_ = 0;
  double last_wall_s_ = 0;
  double tokens_per_s_ = 0;
  int batches_applied_ = 0;
  int side_min_width_hint_ = 420;  ///< samples and log need room for a sentence
};

}  // namespace temper::studio
