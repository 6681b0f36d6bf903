#include "ui/plot/metric_groups.h"

#include <QCoreApplication>

namespace temper::studio {
namespace {

// The titles are marked with QT_TRANSLATE_NOOP where they are written and translated here.
QString translated(const char* text) { return QCoreApplication::translate("MetricGroups", text); }

}  // namespace

MetricName parseMethodMetric(const QString& stored_name) {
  static const QString kTrain = QStringLiteral("train_"), kVal = QStringLiteral("val_");
  MetricName out;
  if (stored_name == QLatin1String("train_loss") || stored_name == QLatin1String("val_loss")) return out;
  if (stored_name.startsWith(kTrain)) {
    out.base = stored_name.mid(kTrain.size());
  } else if (stored_name.startsWith(kVal)) {
    out.base = stored_name.mid(kVal.size());
    out.validation = true;
  }
  return out;
}

MetricGroup metricGroupOf(const QString& base) {
  // The DPO family's implicit rewards and their comparisons come first: they share the prefix
  // `rewards/` with GRPO's per-rule rewards.
  if (base == QLatin1String("rewards/chosen") || base == QLatin1String("rewards/rejected") ||
      base == QLatin1String("chosen_reward") || base == QLatin1String("rejected_reward")) {
    return {QStringLiteral("implicit-rewards"),
            translated(QT_TRANSLATE_NOOP("MetricGroups", "Rewards of chosen and rejected")), 10};
  }
  if (base == QLatin1String("rewards/accuracies") || base == QLatin1String("accuracy") ||
      base == QLatin1String("token_accuracy")) {
    return {QStringLiteral("accuracy"), translated(QT_TRANSLATE_NOOP("MetricGroups", "Accuracy")), 11};
  }
  if (base == QLatin1String("rewards/margins") || base == QLatin1String("margin")) {
    return {QStringLiteral("margin"), translated(QT_TRANSLATE_NOOP("MetricGroups", "Margin")), 12};
  }
  if (base.startsWith(QLatin1String("logps/")))
    return {QStringLiteral("logps"), translated(QT_TRANSLATE_NOOP("MetricGroups", "Log-probabilities")), 13};
  if (base == QLatin1String("chosen_reward_std") || base == QLatin1String("rejected_reward_std")) {
    return {QStringLiteral("reward-spread"), translated(QT_TRANSLATE_NOOP("MetricGroups", "Spread of the rewards")),
            14};
  }
  if (base == QLatin1String("reward") || base == QLatin1String("reward_std")) {
    return {QStringLiteral("reward"), translated(QT_TRANSLATE_NOOP("MetricGroups", "Reward")), 0};
  }
  if (base.startsWith(QLatin1String("rewards/")))
    return {QStringLiteral("reward-parts"), translated(QT_TRANSLATE_NOOP("MetricGroups", "Reward by rule")), 1};
  if (base == QLatin1String("kl"))
    return {QStringLiteral("kl"), translated(QT_TRANSLATE_NOOP("MetricGroups", "KL to the reference")), 2};
  if (base.startsWith(QLatin1String("clip_ratio/")))
    return {QStringLiteral("clipping"), translated(QT_TRANSLATE_NOOP("MetricGroups", "Clipped share")), 3};
  if (base == QLatin1String("completions/mean_length")) {
    return {QStringLiteral("length"), translated(QT_TRANSLATE_NOOP("MetricGroups", "Completion length (tokens)")), 4};
  }
  if (base == QLatin1String("completions/clipped_ratio") || base == QLatin1String("frac_reward_zero_std")) {
    return {QStringLiteral("shares"),
            translated(QT_TRANSLATE_NOOP("MetricGroups", "Truncated completions, flat groups")), 5};
  }
  if (base == QLatin1String("rollout_tokens_per_s")) {
    return {QStringLiteral("rollout-speed"), translated(QT_TRANSLATE_NOOP("MetricGroups", "Sampling speed (tokens/s)")),
            6};
  }
  if (base.startsWith(QLatin1String("correct/")) || base.startsWith(QLatin1String("total/"))) {
    return {QStringLiteral("per-class"), translated(QT_TRANSLATE_NOOP("MetricGroups", "Per class")), 20};
  }
  return {QStringLiteral("other:") + base, base, 50};
}

}  // namespace temper::studio
