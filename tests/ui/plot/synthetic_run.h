#pragma once
// Realistic-looking training metrics for the plot tests, screenshots and benchmark: a noisy loss
// decaying from ln(vocab) towards a floor, validation every `evalEvery` steps, warm-up + cosine
// learning rate, a gradient norm that settles, a throughput that jitters. Deterministic per seed.
#include <QString>
#include <QVector>

#include <cmath>
#include <random>

#include "ui/plot/metric_sample.h"

namespace temper::studio::test_support {

struct SyntheticRunOptions {
  QString run = QStringLiteral("run-a");
  qint64 steps = 2000;
  qint64 evalEvery = 100;
  qint64 tokensPerStep = 8192;
  double secondsPerStep = 0.7;
  double floor = 1.8;  // the loss it converges to
  unsigned seed = 1;
  bool auxiliary = true;  // also lr, grad_norm, tokens_per_s
};

inline QVector<MetricSample> syntheticRun(const SyntheticRunOptions& o) {
  std::mt19937 rng(o.seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  QVector<MetricSample> out;
  out.reserve(o.steps * (o.auxiliary ? 4 : 1) + o.steps / std::max<qint64>(o.evalEvery, 1) + 1);
  const double steps = static_cast<double>(o.steps);
  for (qint64 s = 1; s <= o.steps; ++s) {
    const double t = static_cast<double>(s);
    const qint64 tokens = s * o.tokensPerStep;
    const double wall = t * o.secondsPerStep;
    const double expected = o.floor + 8.9 * std::exp(-t / (steps * 0.04)) + 0.9 * std::exp(-t / (steps * 0.35));
    const double loss = expected + (0.05 + 0.04 * expected) * noise(rng);
    out.append({o.run, QStringLiteral("loss"), s, tokens, wall, loss});
    if (o.auxiliary) {
      const double warmup = steps * 0.05;
      const double lr = t < warmup
                            ? 6e-4 * t / warmup
                            : 6e-5 + 0.5 * (6e-4 - 6e-5) * (1 + std::cos(M_PI * (t - warmup) / (steps - warmup)));
      out.append({o.run, QStringLiteral("lr"), s, tokens, wall, lr});
      const double grad = 0.6 + 2.5 * std::exp(-t / (steps * 0.03)) + 0.15 * std::abs(noise(rng));
      out.append({o.run, QStringLiteral("grad_norm"), s, tokens, wall, grad});
      out.append({o.run, QStringLiteral("tokens_per_s"), s, tokens, wall, 11500 + 400 * noise(rng)});
    }
    if (o.evalEvery > 0 && (s % o.evalEvery == 0 || s == o.steps))
      out.append({o.run, QStringLiteral("val_loss"), s, tokens, wall, expected + 0.06 + 0.01 * noise(rng)});
  }
  return out;
}

}  // namespace temper::studio::test_support
