#include "ui/client/run_summary.h"

#include <algorithm>

namespace temper::studio {

namespace {

// The metrics the engine records per step and per evaluation (core/engine/run_recorder.cpp).
const std::string kTrainLoss = "train_loss";
const std::string kValLoss = "val_loss";

// The figures come from the store's per-metric summaries (kept current as points are appended),
// never from the series: opening the history costs the same whether runs logged 20 or 100,000 steps.
RunSummary fromOverview(RunOverview overview) {
  RunSummary summary;
  const MetricSummary* train = overview.metric(kTrainLoss);
  const MetricSummary* val = overview.metric(kValLoss);
  // Steps, tokens and training time where training left them; a run that logged only evaluations
  // still shows how far they got.
  if (const MetricSummary* progress = train ? train : val) {
    summary.steps = progress->last_step;
    summary.tokens = progress->tokens_seen;
    summary.train_seconds = progress->wall_time_s;
  }
  if (val) {
    summary.last_val_loss = val->last_value;
    summary.best_val_loss = val->min_value;
  }
  summary.run = std::move(overview.run);
  return summary;
}

}  // namespace

double RunSummary::durationSeconds(double now_unix) const {
  if (train_seconds > 0) return train_seconds;
  if (run.started_at <= 0) return 0;
  const double end = run.finished_at > 0 ? run.finished_at : now_unix;
  return std::max(0.0, end - run.started_at);
}

RunSummary loadRunSummary(const Store& store, RunRecord run) {
  RunOverview overview{std::move(run), {}};
  for (auto& [name, summary] : store.metricSummaries(overview.run.id)) {
    if (name == kTrainLoss || name == kValLoss) overview.metrics.push_back(std::move(summary));
  }
  return fromOverview(std::move(overview));
}

std::vector<RunSummary> loadRunSummaries(const Store& store) {
  std::vector<RunOverview> overviews = store.listRunOverviews({kTrainLoss, kValLoss});
  std::vector<RunSummary> summaries;
  summaries.reserve(overviews.size());
  for (RunOverview& overview : overviews) summaries.push_back(fromOverview(std::move(overview)));
  return summaries;
}

}  // namespace temper::studio
