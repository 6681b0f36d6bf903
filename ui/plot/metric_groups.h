#pragma once
/// Which small plot a method's own measure goes on (the names of docs/events.md and
/// docs/preference-training.md, as the store keeps them: `train_<name>` from `step` events,
/// `val_<name>` from `eval` events). Measures that read together share a plot: a GRPO run's reward
/// and its spread, its per-rule rewards, its KL, its clip shares; a DPO run's chosen and rejected
/// rewards, its accuracies, its margins. Anything unknown gets a plot of its own, so a new method's
/// measures are shown without a change here.
#include <QString>

namespace temper::studio {

struct MetricName {
  QString base;             ///< without the split: "rewards/format"
  bool validation = false;  ///< `val_` (an evaluation), else `train_` (a training step)
};

/// Splits a stored name; nullopt-like (empty base) for the loop's own curves (train_loss,
/// val_loss, lr, grad_norm, tokens_per_s), which the loss plot shows, and for other names.
MetricName parseMethodMetric(const QString& stored_name);

struct MetricGroup {
  QString key;      ///< stable, for ordering and tests: "reward", "reward-parts", "kl", ...
  QString title;    ///< translated, for the plot
  int order = 100;  ///< where the plot goes, small first
};

/// The group of a measure by its base name.
MetricGroup metricGroupOf(const QString& base);

}  // namespace temper::studio
