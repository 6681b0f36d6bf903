// Plot benchmark (not a test): replot time of a 1,000,000-point curve, of 10 runs x 100,000 points
// overlaid (full replot and pan), the latency from appendSamples() to the finished replot during a
// live run, and the cost of re-smoothing and switching the axis. Prints medians of N repetitions.
//   QT_QPA_PLATFORM=offscreen build-s2/bin/temper_plot_bench [repetitions]
#include <qcustomplot.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QStyleFactory>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

#include "tests/ui/plot/synthetic_run.h"
#include "ui/plot/run_plot_canvas.h"

using namespace temper::studio;
using temper::studio::test_support::syntheticRun;
using temper::studio::test_support::SyntheticRunOptions;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

double p90(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[std::min(v.size() - 1, v.size() * 9 / 10)];
}

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Wall-clock and CPU milliseconds of each repetition. The CPU time of this thread is what the
// work costs; on a machine shared with compilers the wall time also holds the waits for a core.
struct Timings {
  std::vector<double> wallMs;
  std::vector<double> cpuMs;
};

// Times `what` `n` times (after one warm-up).
Timings timeIt(int n, const std::function<void(int)>& what) {
  what(-1);
  Timings t;
  for (int i = 0; i < n; ++i) {
    QElapsedTimer wall;
    const double cpu0 = threadCpuMs();
    wall.start();
    what(i);
    t.wallMs.push_back(wall.nsecsElapsed() / 1e6);
    t.cpuMs.push_back(threadCpuMs() - cpu0);
  }
  return t;
}

void report(const char* what, const Timings& t) {
  std::printf("%-60s wall median %7.2f ms p90 %7.2f | cpu median %7.2f ms p90 %7.2f (n=%zu)\n", what, median(t.wallMs),
              p90(t.wallMs), median(t.cpuMs), p90(t.cpuMs), t.wallMs.size());
}

std::unique_ptr<RunPlotCanvas> shownCanvas() {
  auto canvas = std::make_unique<RunPlotCanvas>();
  canvas->resize(1200, 800);
  canvas->show();
  QCoreApplication::processEvents();
  return canvas;
}

void replotNow(RunPlotCanvas& c) { c.customPlot()->replot(QCustomPlot::rpImmediateRefresh); }

// Pans the view by a small step each time, as a drag does, then replots.
void panAndReplot(RunPlotCanvas& c, int i) {
  QCPAxis* x = c.customPlot()->axisRect(0)->axis(QCPAxis::atBottom);
  x->moveRange(i % 2 == 0 ? x->range().size() * 0.01 : -x->range().size() * 0.01);
  replotNow(c);
}

// The wheel zooms in and out around the middle.
void zoomAndReplot(RunPlotCanvas& c, int i) {
  QCPAxis* x = c.customPlot()->axisRect(0)->axis(QCPAxis::atBottom);
  x->scaleRange(i % 2 == 0 ? 0.85 : 1.0 / 0.85);
  replotNow(c);
}

QVector<MetricSample> lossOnly(const QString& run, qint64 steps, double floor, unsigned seed) {
  SyntheticRunOptions o;
  o.run = run;
  o.steps = steps;
  o.evalEvery = 1000;
  o.floor = floor;
  o.seed = seed;
  o.auxiliary = false;
  return syntheticRun(o);
}

// Live run: a batch of `stepsPerBatch` steps (4 metrics each, as the engine sends) every turn;
// the time from appendSamples() to the end of the replot it schedules.
std::pair<Timings, Timings> liveLatency(RunPlotCanvas& c, qint64 firstStep, int batches, int stepsPerBatch) {
  SyntheticRunOptions o;
  o.steps = firstStep + qint64(batches + 1) * stepsPerBatch;
  const QVector<MetricSample> all = syntheticRun(o);
  // Skip what the canvas already holds: samples of steps before firstStep.
  qsizetype at = 0;
  while (at < all.size() && all[at].step < firstStep) ++at;
  bool replotted = false;
  QObject::connect(c.customPlot(), &QCustomPlot::afterReplot, [&] { replotted = true; });
  Timings append, total;
  for (int b = 0; b < batches; ++b) {
    qsizetype end = at;
    while (end < all.size() && all[end].step < all[at].step + stepsPerBatch) ++end;
    const QVector<MetricSample> batch = all.mid(at, end - at);
    at = end;
    replotted = false;
    QElapsedTimer t;
    const double cpu0 = threadCpuMs();
    t.start();
    c.appendSamples(batch);
    append.wallMs.push_back(t.nsecsElapsed() / 1e6);
    append.cpuMs.push_back(threadCpuMs() - cpu0);
    while (!replotted) QCoreApplication::processEvents(QEventLoop::AllEvents);
    total.wallMs.push_back(t.nsecsElapsed() / 1e6);
    total.cpuMs.push_back(threadCpuMs() - cpu0);
  }
  return {append, total};
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  const int n = argc > 1 ? std::max(3, std::atoi(argv[1])) : 31;
  // An optional second argument runs only the sections whose name contains it (for profiling):
  // single, metrics, compare, live.
  const QString only = argc > 2 ? QString::fromLocal8Bit(argv[2]) : QString();
  const auto run = [&](const char* section) { return only.isEmpty() || QString::fromLatin1(section).contains(only); };
  std::printf("temper_plot_bench: %d repetitions, canvas 1200x800, platform %s\n", n,
              qPrintable(QGuiApplication::platformName()));

  if (run("single")) {
    auto c = shownCanvas();
    c->setSmoothing(0.6);
    const auto samples = lossOnly("one", 1000000, 1.8, 1);
    QElapsedTimer t;
    const double cpu0 = threadCpuMs();
    t.start();
    c->appendSamples(samples);
    std::printf("%-60s wall %7.1f ms | cpu %7.1f ms\n", "1 run x 1,000,000 loss points: appendSamples (one batch)",
                t.nsecsElapsed() / 1e6, threadCpuMs() - cpu0);
    report("1,000,000 points, smoothing 0.6 (raw + EMA curves): replot", timeIt(n, [&](int) { replotNow(*c); }));
    report("1,000,000 points, smoothing 0.6: pan + replot", timeIt(n, [&](int i) { panAndReplot(*c, i); }));
    report("1,000,000 points, smoothing 0.6: wheel zoom + replot", timeIt(n, [&](int i) { zoomAndReplot(*c, i); }));
    c->resetView();
    report("1,000,000 points: change smoothing (re-smooth all + replot)", timeIt(std::min(n, 11), [&](int i) {
             c->setSmoothing(i % 2 == 0 ? 0.9 : 0.6);
             replotNow(*c);
           }));
    report("1,000,000 points: switch x axis step <-> tokens + replot", timeIt(std::min(n, 11), [&](int i) {
             c->setXAxis(i % 2 == 0 ? XAxis::Tokens : XAxis::Step);
             replotNow(*c);
           }));
    c->setXAxis(XAxis::Step);
    c->setSmoothing(0.0);
    report("1,000,000 points, smoothing 0 (one curve): replot", timeIt(n, [&](int) { replotNow(*c); }));
  }
  if (run("metrics")) {
    auto c = shownCanvas();
    c->setSmoothing(0.6);
    SyntheticRunOptions o;
    o.steps = 250000;
    c->appendSamples(syntheticRun(o));
    report("250,000 steps x (loss, val, lr, grad, tok/s) = 1.0 M points: replot",
           timeIt(n, [&](int) { replotNow(*c); }));
  }
  if (run("compare")) {
    auto c = shownCanvas();
    c->setSmoothing(0.6);
    for (int r = 0; r < 10; ++r) c->appendSamples(lossOnly(QStringLiteral("run-%1").arg(r), 100000, 1.6 + 0.1 * r, r));
    report("10 runs x 100,000 points overlaid, smoothing 0.6: replot", timeIt(n, [&](int) { replotNow(*c); }));
    report("10 runs x 100,000 points: pan + replot", timeIt(n, [&](int i) { panAndReplot(*c, i); }));
    report("10 runs x 100,000 points: wheel zoom + replot", timeIt(n, [&](int i) { zoomAndReplot(*c, i); }));
    const QPoint mid(600, 200);
    report("10 runs x 100,000 points: hover (nearest point + overlay)", timeIt(n, [&](int i) {
             QMouseEvent move(QEvent::MouseMove, QPointF(mid + QPoint(i % 50, 0)),
                              c->customPlot()->mapToGlobal(QPointF(mid + QPoint(i % 50, 0))), Qt::NoButton,
                              Qt::NoButton, Qt::NoModifier);
             QApplication::sendEvent(c->customPlot(), &move);
           }));
  }
  if (run("live")) {
    auto c = shownCanvas();
    c->setSmoothing(0.6);
    SyntheticRunOptions o;
    o.steps = 250000;
    c->appendSamples(syntheticRun(o));
    auto [appendMs, totalMs] = liveLatency(*c, 250001, n, 10);
    report("live, 250k steps held, +10 steps x 4 metrics: appendSamples", appendMs);
    report("live, 250k steps held, +10 steps: appendSamples -> replot done", totalMs);
  }
  if (run("live")) {
    auto c = shownCanvas();
    c->setSmoothing(0.6);
    SyntheticRunOptions o;
    o.steps = 2000;
    c->appendSamples(syntheticRun(o));
    auto [appendMs, totalMs] = liveLatency(*c, 2001, n, 10);
    report("live, 2k steps held, +10 steps x 4 metrics: appendSamples", appendMs);
    report("live, 2k steps held, +10 steps: appendSamples -> replot done", totalMs);
  }
  return 0;
}
