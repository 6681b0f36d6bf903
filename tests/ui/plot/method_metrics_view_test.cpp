// The method's own measures beside the loss: grouping by name (metric_groups.h), the small plots
// built as measures arrive, training and validation curves, a resume replacing points, overlaid
// runs with the colours of the runs named first; and a screenshot of a GRPO-like run
// (${TEMPER_BUILD_DIR}/screenshots/method-metrics-*.png) for people to look at.
#include <QtTest>

#include <qcustomplot.h>
#include <QDir>

#include <cmath>

#include "ui/plot/method_metrics_view.h"
#include "ui/plot/metric_groups.h"
#include "ui/plot/plot_theme.h"

using namespace temper::studio;

namespace {

// A GRPO-like run: the reward climbs from 0.3 to 0.9 with noise; KL grows; the format rule's
// score is the reward; validation every 20 steps.
QVector<MetricSample> grpoRun(const QString& run, int steps, double ceiling = 0.9) {
  QVector<MetricSample> out;
  for (int s = 1; s <= steps; ++s) {
    const double progress = 1.0 - std::exp(-s / 25.0);
    const double noise = 0.08 * std::sin(s * 1.7);
    const double reward = 0.3 + (ceiling - 0.3) * progress + noise;
    auto add = [&](const char* name, double value) { out.push_back({run, name, s, s * 1000, s * 0.2, value}); };
    add("train_reward", reward);
    add("train_reward_std", 0.45 - 0.3 * progress);
    add("train_rewards/format", reward);
    add("train_kl", 0.02 * progress);
    add("train_clip_ratio/region_mean", 0.0);
    add("train_completions/mean_length", 28 + 3 * std::sin(s * 0.3));
    add("train_frac_reward_zero_std", 0.25 * progress);
    if (s % 20 == 0) {
      add("val_reward", 0.3 + (ceiling - 0.3) * progress);
      add("val_rewards/format", 0.3 + (ceiling - 0.3) * progress);
    }
  }
  // The loop's own curves are the loss plot's, not these.
  out.push_back({run, "train_loss", 1, 1000, 0.2, 0.01});
  out.push_back({run, "val_loss", 20, 20000, 4.0, -0.5});
  return out;
}

QString screenshotPath(const QString& name) {
  const QString dir = QStringLiteral(TEMPER_BUILD_DIR) + QStringLiteral("/screenshots");
  QDir().mkpath(dir);
  return dir + QStringLiteral("/method-metrics-") + name + QStringLiteral(".png");
}

}  // namespace

class MethodMetricsViewTest : public QObject {
  Q_OBJECT

 private slots:
  void namesAreSplitAndGrouped() {
    QVERIFY(parseMethodMetric(QStringLiteral("train_loss")).base.isEmpty());
    QVERIFY(parseMethodMetric(QStringLiteral("val_loss")).base.isEmpty());
    QVERIFY(parseMethodMetric(QStringLiteral("lr")).base.isEmpty());
    QCOMPARE(parseMethodMetric(QStringLiteral("val_rewards/format")).base, QStringLiteral("rewards/format"));
    QVERIFY(parseMethodMetric(QStringLiteral("val_rewards/format")).validation);
    QVERIFY(!parseMethodMetric(QStringLiteral("train_kl")).validation);
    // GRPO's per-rule rewards and DPO's implicit rewards share a prefix but not a plot.
    QCOMPARE(metricGroupOf(QStringLiteral("rewards/format")).key, QStringLiteral("reward-parts"));
    QCOMPARE(metricGroupOf(QStringLiteral("rewards/regex-2")).key, QStringLiteral("reward-parts"));
    QCOMPARE(metricGroupOf(QStringLiteral("rewards/chosen")).key, QStringLiteral("implicit-rewards"));
    QCOMPARE(metricGroupOf(QStringLiteral("rewards/rejected")).key, QStringLiteral("implicit-rewards"));
    QCOMPARE(metricGroupOf(QStringLiteral("rewards/accuracies")).key, QStringLiteral("accuracy"));
    QCOMPARE(metricGroupOf(QStringLiteral("rewards/margins")).key, QStringLiteral("margin"));
    QCOMPARE(metricGroupOf(QStringLiteral("reward_std")).key, QStringLiteral("reward"));
    QCOMPARE(metricGroupOf(QStringLiteral("clip_ratio/high_mean")).key, QStringLiteral("clipping"));
    // Something no method had when this was written gets a plot of its own, titled by its name.
    QCOMPARE(metricGroupOf(QStringLiteral("value_loss")).title, QStringLiteral("value_loss"));
  }

  void plotsAppearAsMeasuresArrive() {
    MethodMetricsView view;
    view.resize(900, 700);
    QSignalSpy empty(&view, &MethodMetricsView::emptyChanged);
    QVERIFY(view.isEmpty());
    view.appendSamples({{"r", "train_loss", 1, 0, 0, 1.0}, {"r", "lr", 1, 0, 0, 1e-3}});
    QVERIFY2(view.isEmpty(), "the loop's own curves belong to the loss plot");
    QCOMPARE(empty.count(), 0);
    view.appendSamples(grpoRun(QStringLiteral("r"), 60));
    QCOMPARE(empty.count(), 1);
    QCOMPARE(empty.at(0).at(0).toBool(), false);
    QCOMPARE(view.groupTitles(), (QStringList{"Reward", "Reward by rule", "KL to the reference", "Clipped share",
                                              "Completion length (tokens)", "Truncated completions, flat groups"}));
    // reward, reward_std, val_reward; format (train, val); kl; clip; length; zero-std share.
    QCOMPARE(view.curveCount(), 9);
    QVERIFY(view.curveNames().contains(QStringLiteral("reward (val)")));
    QVERIFY(view.curveNames().contains(QStringLiteral("rewards/format (train)")));

    // A resumed run sends step 41 on again: its points replace those from 41 on.
    QCPGraph* reward = nullptr;
    for (int i = 0; i < view.customPlot()->graphCount(); ++i) {
      if (view.customPlot()->graph(i)->name() == QLatin1String("reward (train)")) reward = view.customPlot()->graph(i);
    }
    QVERIFY(reward);
    QCOMPARE(reward->dataCount(), 60);
    view.appendSamples({{"r", "train_reward", 41, 0, 0, 0.5}});
    QCOMPARE(reward->dataCount(), 41);
    QCOMPARE((reward->data()->constEnd() - 1)->value, 0.5);

    view.clear();
    QVERIFY(view.isEmpty());
    QVERIFY(view.groupTitles().isEmpty());
    QCOMPARE(empty.count(), 2);
  }

  void overlaidRunsTakeTheColoursOfTheirOrder() {
    MethodMetricsView view;
    // The first run has no measures of its own (an sft run picked beside two GRPO runs): it still
    // takes colour 0, as it does on the loss plot.
    view.setRunLabel(QStringLiteral("sft"), QStringLiteral("the sft run"));
    view.setRunLabel(QStringLiteral("a"), QStringLiteral("beta 0"));
    view.setRunLabel(QStringLiteral("b"), QStringLiteral("beta 0.04"));
    view.appendSamples(grpoRun(QStringLiteral("a"), 40, 0.99));
    view.appendSamples(grpoRun(QStringLiteral("b"), 40, 0.9));
    const PlotTheme theme = PlotTheme::fromPalette(view.palette());
    int checked = 0;
    for (int i = 0; i < view.customPlot()->graphCount(); ++i) {
      QCPGraph* g = view.customPlot()->graph(i);
      if (g->name().startsWith(QLatin1String("beta 0: "))) {
        QCOMPARE(g->pen().color(), theme.runColor(1));
        ++checked;
      } else if (g->name().startsWith(QLatin1String("beta 0.04: "))) {
        QCOMPARE(g->pen().color(), theme.runColor(2));
        ++checked;
      }
    }
    QCOMPARE(checked, 18);
  }

  void screenshots() {
    MethodMetricsView single;
    single.resize(900, 620);
    single.appendSamples(grpoRun(QStringLiteral("r"), 120));
    single.customPlot()->replot();
    QImage image = single.grab().toImage();
    QVERIFY(image.save(screenshotPath(QStringLiteral("grpo"))));
    MethodMetricsView compared;
    compared.resize(900, 620);
    compared.setRunLabel(QStringLiteral("a"), QStringLiteral("beta 0"));
    compared.setRunLabel(QStringLiteral("b"), QStringLiteral("beta 0.04"));
    compared.appendSamples(grpoRun(QStringLiteral("a"), 120, 0.99));
    compared.appendSamples(grpoRun(QStringLiteral("b"), 120, 0.85));
    compared.customPlot()->replot();
    QVERIFY(compared.grab().toImage().save(screenshotPath(QStringLiteral("compare"))));
  }
};

QTEST_MAIN(MethodMetricsViewTest)
#include "method_metrics_view_test.moc"
