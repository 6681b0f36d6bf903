// The plot's data side without a display: the debiased EMA against hand-computed values and the
// closed form, series bookkeeping (resume rewinds), checkpoints, CSV content.
#include <QtTest>

#include <cmath>
#include <limits>

#include "ui/plot/debiased_ema.h"
#include "ui/plot/metric_series.h"
#include "ui/plot/plot_data_set.h"

using namespace temper::studio;

namespace {

MetricSample sample(const QString& run, const QString& name, qint64 step, double value) {
  return MetricSample{run, name, step, step * 100, step * 0.5, value};
}

}  // namespace

class PlotDataTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void emaMatchesHandComputedValues() {
    // w = 0.5, inputs 4, 2, 8 (by hand):
    //   acc1 = 0.5*4 = 2,           debias 1-0.5   = 0.5   -> 4
    //   acc2 = 0.5*2 + 0.5*2 = 2,   debias 1-0.25  = 0.75  -> 8/3
    //   acc3 = 0.5*2 + 0.5*8 = 5,   debias 1-0.125 = 0.875 -> 40/7
    DebiasedEma ema(0.5);
    QCOMPARE(ema.push(4.0), 4.0);
    QCOMPARE(ema.push(2.0), 8.0 / 3.0);
    QCOMPARE(ema.push(8.0), 40.0 / 7.0);
    QCOMPARE(ema.count(), 3);
  }

  void emaEqualsNormalisedWeightedAverage() {
    // The closed form: smoothed_n = sum_k w^(n-k) x_k / sum_k w^(n-k).
    const double w = 0.9;
    const double xs[] = {3.2, 2.9, 3.5, 2.1, 2.4, 1.9, 2.2, 1.7, 2.0, 1.6, 1.65, 1.5};
    DebiasedEma ema(w);
    for (int n = 0; n < 12; ++n) {
      double num = 0, den = 0;
      for (int k = 0; k <= n; ++k) {
        num += std::pow(w, n - k) * xs[k];
        den += std::pow(w, n - k);
      }
      QVERIFY(std::abs(ema.push(xs[n]) - num / den) < 1e-12);
    }
  }

  void emaSkipsNonFiniteValuesAndZeroWeightIsIdentity() {
    DebiasedEma ema(0.5);
    QCOMPARE(ema.push(4.0), 4.0);
    QVERIFY(std::isnan(ema.push(std::numeric_limits<double>::quiet_NaN())));
    QVERIFY(std::isinf(ema.push(std::numeric_limits<double>::infinity())));
    QCOMPARE(ema.push(2.0), 8.0 / 3.0);  // as if the NaN and Inf were never there
    DebiasedEma none(0.0);
    for (double x : {5.0, -1.0, 0.25}) QCOMPARE(none.push(x), x);
  }

  void seriesRewindsOnResumeAndResmooths() {
    MetricSeries s(true, 0.5);
    for (qint64 step = 1; step <= 5; ++step) QVERIFY(!s.append(sample("r", "loss", step, double(step))));
    // Resumed from the checkpoint at step 3: steps 3.. are sent again with other values.
    QVERIFY(s.append(sample("r", "loss", 3, 8.0)));
    QCOMPARE(s.size(), 3);
    QCOMPARE(s.step(2), 3);
    QCOMPARE(s.value(2), 8.0);
    // Inputs 1, 2, 8 with w = 0.5: 1; (0.25+0.5)... by hand: acc 0.5, 1.25, 4.625 / 0.5, 0.75, 0.875.
    QCOMPARE(s.smoothedValue(0), 1.0);
    QCOMPARE(s.smoothedValue(1), 1.25 / 0.75);
    QCOMPARE(s.smoothedValue(2), 4.625 / 0.875);
    QCOMPARE(s.indexAtOrBeforeStep(0), -1);
    QCOMPARE(s.indexAtOrBeforeStep(2), 1);
    QCOMPARE(s.indexAtOrBeforeStep(99), 2);
    QCOMPARE(s.lowerBound(XAxis::Tokens, 150.0), 1);  // tokens are step * 100
    QCOMPARE(s.lowerBound(XAxis::WallTime, 1.5), 2);  // wall time is step * 0.5
  }

  void unsmoothedSeriesReportRawValues() {
    PlotDataSet data;
    data.setSmoothingWeight(0.9);
    data.append({sample("r", "val_loss", 1, 3.0), sample("r", "val_loss", 2, 1.0), sample("r", "lr", 1, 1e-3)});
    QCOMPARE(data.series("r", "val_loss")->smoothedValue(1), 1.0);
    QCOMPARE(data.series("r", "lr")->smoothedValue(0), 1e-3);
    QVERIFY(!PlotDataSet::isSmoothedMetric("val_loss"));
    QVERIFY(PlotDataSet::isSmoothedMetric("loss"));
  }

  void appendReportsChangesPerSeries() {
    PlotDataSet data;
    data.append({sample("a", "loss", 1, 3.0), sample("a", "loss", 2, 2.0)});
    const auto changes = data.append({sample("a", "loss", 3, 1.0), sample("b", "lr", 1, 1.0),
                                      sample("a", "loss", 4, 1.0), sample("a", "loss", 2, 5.0)});
    QCOMPARE(changes.size(), 2);
    QCOMPARE(changes[0].name, QStringLiteral("loss"));
    QCOMPARE(changes[0].firstNew, 2);
    QVERIFY(changes[0].rewound);  // step 2 came again
    QCOMPARE(changes[1].run, QStringLiteral("b"));
    QCOMPARE(changes[1].firstNew, 0);
    QVERIFY(!changes[1].rewound);
    QCOMPARE(data.runs(), QStringList({"a", "b"}));
    QCOMPARE(data.series("a", "loss")->size(), 2);
    QCOMPARE(data.totalPoints(), 3);
  }

  void checkpointsAreSortedDedupedAndResolved() {
    PlotDataSet data;
    data.append({sample("r", "loss", 1, 3.0), sample("r", "loss", 2, 2.0), sample("r", "loss", 4, 1.0)});
    data.addCheckpoint({"r", 4});
    data.addCheckpoint({"r", 2});
    data.addCheckpoint({"r", 3, 999, 7.5});  // known tokens and time are kept
    data.addCheckpoint({"r", 2});            // the same checkpoint again
    const auto marks = data.checkpoints("r");
    QCOMPARE(marks.size(), 3);
    QCOMPARE(marks[0].step, 2);
    QCOMPARE(marks[0].tokens, 200);  // from the loss sample at step 2
    QCOMPARE(marks[0].wallTime, 1.0);
    QCOMPARE(marks[1].tokens, 999);
    QCOMPARE(marks[1].wallTime, 7.5);
    QCOMPARE(marks[2].tokens, 400);
    data.addCheckpoint({"other", 5});  // no loss yet: stays unknown
    QCOMPARE(data.checkpoints("other")[0].tokens, -1);
    QVERIFY(std::isnan(data.checkpoints("other")[0].wallTime));
  }

  void metricOrderIsFixedThenAlphabetical() {
    PlotDataSet data;
    data.append({sample("r", "zeta", 1, 1), sample("r", "lr", 1, 1), sample("r", "alpha", 1, 1),
                 sample("r", "val_loss", 1, 1), sample("r", "loss", 1, 1), sample("r", "tokens_per_s", 1, 1)});
    QCOMPARE(data.metricNames("r"), QStringList({"loss", "val_loss", "lr", "tokens_per_s", "alpha", "zeta"}));
  }

  void csvIsExact() {
    PlotDataSet data;
    data.setSmoothingWeight(0.5);
    data.append({MetricSample{"r1", "loss", 1, 128, 0.5, 4.0}, MetricSample{"r1", "lr", 1, 128, 0.5, 0.0003},
                 MetricSample{"r1", "loss", 2, 256, 1.25, 2.0}, MetricSample{"r1", "val_loss", 2, 256, 1.25, 3.0},
                 MetricSample{"run,\"2\"", "loss", 1, 64, 0.1, std::numeric_limits<double>::quiet_NaN()}});
    // Smoothed loss by hand (w = 0.5): 4, then 2 / 0.75 = 8/3 (shortest round-trip digits below).
    const QString expected =
        "run,metric,step,tokens,wall_time_s,value,smoothed\n"
        "r1,loss,1,128,0.5,4,4\n"
        "r1,loss,2,256,1.25,2,2.6666666666666665\n"
        "r1,val_loss,2,256,1.25,3,\n"
        "r1,lr,1,128,0.5,3e-04,\n"  // shortest form: scientific when shorter
        "\"run,\"\"2\"\"\",loss,1,64,0.1,nan,nan\n";
    QCOMPARE(data.toCsv(), expected);
  }

  void clearKeepsSmoothing() {
    PlotDataSet data;
    data.setSmoothingWeight(0.7);
    data.append({sample("r", "loss", 1, 1)});
    data.addCheckpoint({"r", 1});
    data.clear();
    QVERIFY(data.runs().isEmpty());
    QCOMPARE(data.totalPoints(), 0);
    QVERIFY(data.checkpoints("r").isEmpty());
    QCOMPARE(data.smoothingWeight(), 0.7);
  }
};

QTEST_GUILESS_MAIN(PlotDataTest)
#include "plot_data_test.moc"
