// LiveRunPlot: the tool bar drives the canvas, the checkpoint bar's actions carry the selected
// checkpoint and honour their availability.
#include <QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSlider>

#include "ui/plot/live_run_plot.h"
#include "ui/plot/plot_data_set.h"
#include "ui/plot/run_plot_canvas.h"

using namespace temper::studio;

namespace {

QPushButton* button(QWidget& w, const QString& text) {
  for (QPushButton* b : w.findChildren<QPushButton*>())
    if (b->text() == text) return b;
  return nullptr;
}

QVector<MetricSample> lossRun(qint64 steps) {
  QVector<MetricSample> out;
  for (qint64 s = 1; s <= steps; ++s) out.append({"r", "loss", s, s * 10, s * 0.1, 5.0 / double(s)});
  return out;
}

}  // namespace

class LiveRunPlotTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void toolBarDrivesTheCanvas() {
    LiveRunPlot plot;
    QCOMPARE(plot.canvas()->smoothing(), 0.6);  // the default
    auto* slider = plot.findChild<QSlider*>();
    slider->setValue(25);  // as a drag does: applied once the slider pauses
    QTRY_COMPARE(plot.canvas()->smoothing(), 0.25);
    plot.setSmoothing(0.9);
    QCOMPARE(slider->value(), 90);
    QCOMPARE(plot.canvas()->smoothing(), 0.9);

    auto* axis = plot.findChild<QComboBox*>();
    axis->setCurrentIndex(1);
    QCOMPARE(plot.canvas()->xAxis(), XAxis::Tokens);
    plot.setXAxis(XAxis::WallTime);
    QCOMPARE(axis->currentIndex(), 2);
    QCOMPARE(plot.canvas()->xAxis(), XAxis::WallTime);

    const auto boxes = plot.findChildren<QCheckBox*>();
    QCOMPARE(boxes.size(), 2);
    boxes[1]->setChecked(true);
    QVERIFY(plot.canvas()->logY());
    plot.setLogX(true);
    QVERIFY(boxes[0]->isChecked());
    QVERIFY(plot.canvas()->logX());
  }

  void checkpointActionsCarryTheSelection() {
    LiveRunPlot plot;
    plot.appendSamples(lossRun(100));
    plot.addCheckpoint({"r", 50});
    QPushButton* evaluate = button(plot, "Evaluate");
    QPushButton* playground = button(plot, "Open in playground");
    QVERIFY(evaluate && playground);
    QVERIFY(!evaluate->isEnabled());  // nothing selected

    QSignalSpy selected(&plot, &LiveRunPlot::checkpointSelected);
    QSignalSpy evaluated(&plot, &LiveRunPlot::evaluateRequested);
    QSignalSpy opened(&plot, &LiveRunPlot::openInPlaygroundRequested);
    QVERIFY(plot.canvas()->selectCheckpoint("r", 50));
    QCOMPARE(selected.size(), 1);
    bool labelled = false;
    for (QLabel* l : plot.findChildren<QLabel*>()) labelled |= l->text() == "Checkpoint at step 50";
    QVERIFY(labelled);

    // Not available yet: disabled, with the reason as tooltip.
    plot.setEvaluateAvailable(false, "The engine cannot evaluate checkpoints yet");
    QVERIFY(!evaluate->isEnabled());
    QCOMPARE(evaluate->toolTip(), QStringLiteral("The engine cannot evaluate checkpoints yet"));
    plot.setEvaluateAvailable(true);
    plot.setPlaygroundAvailable(true);
    QVERIFY(evaluate->isEnabled());
    QTest::mouseClick(evaluate, Qt::LeftButton);
    QTest::mouseClick(playground, Qt::LeftButton);
    QCOMPARE(evaluated.size(), 1);
    QCOMPARE(evaluated[0][0].toString(), QStringLiteral("r"));
    QCOMPARE(evaluated[0][1].toLongLong(), 50);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened[0][1].toLongLong(), 50);

    plot.clear();
    QVERIFY(!evaluate->isEnabled());
    QCOMPARE(plot.canvas()->data().totalPoints(), 0);
  }
};

QTEST_MAIN(LiveRunPlotTest)
#include "live_run_plot_test.moc"
