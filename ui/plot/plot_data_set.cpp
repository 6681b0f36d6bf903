#include "ui/plot/plot_data_set.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace temper::studio {
namespace {

int metricRank(const QString& name) {
  static const char* const kOrder[] = {metric::kLoss, metric::kValLoss, metric::kLr, metric::kGradNorm,
                                       metric::kTokensPerS};
  for (int i = 0; i < 5; ++i)
    if (name == QLatin1String(kOrder[i])) return i;
  return 5;
}

QString csvField(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')) &&
      !text.contains(QLatin1Char('\r')))
    return text;
  QString quoted = text;
  quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
  return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString csvNumber(double v) { return QString::number(v, 'g', QLocale::FloatingPointShortest); }

}  // namespace

bool PlotDataSet::isSmoothedMetric(const QString& name) {
  return name != QLatin1String(metric::kValLoss) && name != QLatin1String(metric::kLr);
}

PlotDataSet::RunData& PlotDataSet::runData(const QString& run) {
  auto it = byRun_.find(run);
  if (it == byRun_.end()) {
    runs_.append(run);
    it = byRun_.insert(run, std::make_shared<RunData>());
  }
  return **it;
}

QVector<SeriesChange> PlotDataSet::append(const QVector<MetricSample>& samples) {
  QVector<SeriesChange> changes;
  // A batch interleaves a few series; the series met so far in this batch are looked up in a
  // short list (same order as `changes`) instead of a hash and a map per sample.
  QVector<MetricSeries*> seen;
  for (const MetricSample& s : samples) {
    qsizetype at = -1;
    for (qsizetype i = 0; i < changes.size(); ++i) {
      if (changes[i].name == s.name && changes[i].run == s.run) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      auto& slot = runData(s.run).series[s.name];
      if (!slot) slot = std::make_unique<MetricSeries>(isSmoothedMetric(s.name), smoothingWeight_);
      changes.append(SeriesChange{s.run, s.name, slot->size(), false});
      seen.append(slot.get());
      at = changes.size() - 1;
    }
    if (seen[at]->append(s)) changes[at].rewound = true;
  }
  return changes;
}

void PlotDataSet::addCheckpoint(const CheckpointMark& mark) {
  auto& marks = runData(mark.run).checkpoints;
  auto it = std::lower_bound(marks.begin(), marks.end(), mark.step,
                             [](const CheckpointMark& m, qint64 step) { return m.step < step; });
  if (it != marks.end() && it->step == mark.step)
    *it = mark;
  else
    marks.insert(it, mark);
}

void PlotDataSet::clear() {
  runs_.clear();
  byRun_.clear();
}

void PlotDataSet::setSmoothingWeight(double weight) {
  smoothingWeight_ = weight;
  for (const auto& data : std::as_const(byRun_))
    for (auto& [name, series] : data->series) series->setSmoothingWeight(weight);
}

QStringList PlotDataSet::metricNames(const QString& run) const {
  QStringList names;
  const auto it = byRun_.constFind(run);
  if (it == byRun_.cend()) return names;
  for (const auto& [name, series] : (*it)->series) names.append(name);
  // std::map gives alphabetical order; the known metrics go first in their fixed order.
  std::stable_sort(names.begin(), names.end(),
                   [](const QString& a, const QString& b) { return metricRank(a) < metricRank(b); });
  return names;
}

const MetricSeries* PlotDataSet::series(const QString& run, const QString& name) const {
  const auto it = byRun_.constFind(run);
  if (it == byRun_.cend()) return nullptr;
  const auto found = (*it)->series.find(name);
  return found == (*it)->series.end() ? nullptr : found->second.get();
}

QVector<CheckpointMark> PlotDataSet::checkpoints(const QString& run) const {
  QVector<CheckpointMark> out;
  const auto it = byRun_.constFind(run);
  if (it == byRun_.cend()) return out;
  const MetricSeries* loss = series(run, QLatin1String(metric::kLoss));
  for (CheckpointMark mark : (*it)->checkpoints) {
    // Only once the loss has reached the checkpoint's step: an earlier sample would give the
    // tokens and time of another point of training.
    const qsizetype i = loss && !loss->isEmpty() && loss->step(loss->size() - 1) >= mark.step
                            ? loss->indexAtOrBeforeStep(mark.step)
                            : -1;
    if (i >= 0) {
      if (mark.tokens < 0) mark.tokens = loss->tokens(i);
      if (!std::isfinite(mark.wallTime)) mark.wallTime = loss->wallTime(i);
    }
    out.append(mark);
  }
  return out;
}

qsizetype PlotDataSet::totalPoints() const {
  qsizetype n = 0;
  for (const auto& data : std::as_const(byRun_))
    for (const auto& [name, series] : data->series) n += series->size();
  return n;
}

QString PlotDataSet::toCsv() const {
  QString out = QStringLiteral("run,metric,step,tokens,wall_time_s,value,smoothed\n");
  for (const QString& run : runs_) {
    for (const QString& name : metricNames(run)) {
      const MetricSeries* s = series(run, name);
      const QString prefix = csvField(run) + QLatin1Char(',') + csvField(name) + QLatin1Char(',');
      for (qsizetype i = 0; i < s->size(); ++i) {
        out += prefix + QString::number(s->step(i)) + QLatin1Char(',') + QString::number(s->tokens(i)) +
               QLatin1Char(',') + csvNumber(s->wallTime(i)) + QLatin1Char(',') + csvNumber(s->value(i)) +
               QLatin1Char(',') + (s->isSmoothed() ? csvNumber(s->smoothedValue(i)) : QString()) + QLatin1Char('\n');
      }
    }
  }
  return out;
}

}  // namespace temper::studio
