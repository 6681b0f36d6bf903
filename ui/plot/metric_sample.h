#pragma once
/// Plain data the plots take in. The engine client turns `step`, `eval` and `checkpoint_saved`
/// events (docs/events.md) into these; nothing here knows about JSON, the store or QCustomPlot, so
/// any source (live events, the store, a CSV) can feed a plot.
#include <QString>
#include <QVector>
#include <QtGlobal>

#include <limits>

namespace temper::studio {

/// Metric names the live view knows how to place; any other name is kept (and exported as CSV)
/// but not drawn. They are the event keys of docs/events.md.
namespace metric {
inline constexpr const char* kLoss = "loss";                ///< train loss, `step` event
inline constexpr const char* kValLoss = "val_loss";         ///< validation loss, `eval` event
inline constexpr const char* kLr = "lr";                    ///< learning rate, `step` event
inline constexpr const char* kGradNorm = "grad_norm";       ///< gradient norm before clipping
inline constexpr const char* kTokensPerS = "tokens_per_s";  ///< throughput, `step` event
}  // namespace metric

/// One value of one metric of one run at one point of training.
struct MetricSample {
  QString run;            ///< run id (`run_id` of the event)
  QString name;           ///< metric name, see `metric::`
  qint64 step = 0;        ///< optimizer step, from 1
  qint64 tokens = 0;      ///< tokens seen when the value was taken
  double wallTime = 0.0;  ///< training wall time in seconds (carried across resumes)
  double value = 0.0;     ///< the value; NaN/Inf are kept and drawn as gaps
};

/// A saved checkpoint of a run. `checkpoint_saved` events carry only the step: leave `tokens`
/// negative and `wallTime` NaN and the plot takes them from the run's train-loss samples.
struct CheckpointMark {
  QString run;                                                 ///< run id
  qint64 step = 0;                                             ///< step the checkpoint holds
  qint64 tokens = -1;                                          ///< tokens seen, or -1 if unknown
  double wallTime = std::numeric_limits<double>::quiet_NaN();  ///< wall time, or NaN if unknown
};

/// What the horizontal axis counts.
enum class XAxis { Step, Tokens, WallTime };

}  // namespace temper::studio
