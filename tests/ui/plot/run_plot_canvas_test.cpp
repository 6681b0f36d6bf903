// RunPlotCanvas on the offscreen platform: graph data from batches, checkpoints and selection,
// axis switching, log axes, follow mode, hover, export files.
#include <qcustomplot.h>

#include <QtTest>

#include <cmath>

#include "tests/ui/plot/synthetic_run.h"
#include "ui/plot/plot_data_set.h"
#include "ui/plot/run_plot_canvas.h"

using namespace temper::studio;
using temper::studio::test_support::syntheticRun;
using temper::studio::test_support::SyntheticRunOptions;

namespace {

// The points of every graph of a canvas, by what the graph draws (the canvas tags its graphs with
// temperRun / temperMetric / temperRaw, checkpoint markers with temperCheckpoints).
QMap<QString, QVector<QCPGraphData>> graphData(const RunPlotCanvas& canvas) {
  QMap<QString, QVector<QCPGraphData>> out;
  QCustomPlot* plot = canvas.customPlot();
  for (int i = 0; i < plot->graphCount(); ++i) {
    QCPGraph* g = plot->graph(i);
    const QString id = g->property("temperRun").toString() + "/" + g->property("temperMetric").toString() + "/" +
                       (g->property("temperRaw").toBool() ? "raw" : "") + g->property("temperCheckpoints").toString();
    QVector<QCPGraphData> points;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) points.append(*it);
    out.insert(id, points);
  }
  return out;
}

// The graph drawing a metric's curve of the first run (the canvas tags its graphs with
// temperRun / temperMetric / temperRaw properties): the smoothed one unless `raw`.
QCPGraph* curve(const RunPlotCanvas& canvas, const QString& name, bool raw = false) {
  QCustomPlot* plot = canvas.customPlot();
  const QString run = canvas.data().runs().value(0);
  QVector<QCPGraph*> matches;
  for (int i = 0; i < plot->graphCount(); ++i) {
    QCPGraph* g = plot->graph(i);
    if (g->property("temperMetric").toString() == name && g->property("temperRaw").toBool() == raw &&
        g->property("temperRun").toString() == run)
      matches.append(g);
  }
  return matches.size() == 1 ? matches.first() : nullptr;
}

// Every point of a metric's curve of the first run (before the view's cut).
QVector<QPointF> points(const RunPlotCanvas& canvas, const QString& name, bool raw = false) {
  return canvas.curvePoints(canvas.data().runs().value(0), name, raw);
}

QCPGraph* checkpointGraph(const RunPlotCanvas& canvas, const QString& run) {
  QCustomPlot* plot = canvas.customPlot();
  for (int i = 0; i < plot->graphCount(); ++i)
    if (plot->graph(i)->property("temperCheckpoints").toString() == run) return plot->graph(i);
  return nullptr;
}

QVector<MetricSample> lossRun(qint64 steps, const QString& run = QStringLiteral("r")) {
  QVector<MetricSample> out;
  for (qint64 s = 1; s <= steps; ++s) out.append({run, "loss", s, s * 1000, s * 0.25, 10.0 / std::sqrt(double(s))});
  return out;
}

}  // namespace

class RunPlotCanvasTest : public QObject {
  Q_OBJECT

  std::unique_ptr<RunPlotCanvas> shownCanvas() {
    auto canvas = std::make_unique<RunPlotCanvas>();
    canvas->resize(900, 600);
    canvas->show();
    if (!QTest::qWaitForWindowExposed(canvas.get())) qWarning("canvas not exposed");
    return canvas;
  }

 private Q_SLOTS:
  void batchesGiveTheSameGraphsAsOneBatch() {
    const auto samples = syntheticRun(SyntheticRunOptions{});
    auto whole = shownCanvas();
    whole->setSmoothing(0.8);
    whole->appendSamples(samples);
    auto batched = shownCanvas();
    batched->setSmoothing(0.8);
    for (qsizetype i = 0; i < samples.size(); i += 37) batched->appendSamples(samples.mid(i, 37));
    // Every curve, point by point; bit-identical, not just close: the EMA carries its state over.
    int curves = 0;
    for (const QString& name : whole->data().metricNames("run-a")) {
      for (bool raw : {false, true}) {
        const auto a = whole->curvePoints("run-a", name, raw);
        const auto b = batched->curvePoints("run-a", name, raw);
        QVERIFY2(a.size() == b.size(), qPrintable(name));
        for (qsizetype i = 0; i < a.size(); ++i) QVERIFY(a[i].x() == b[i].x() && a[i].y() == b[i].y());
        curves += a.isEmpty() ? 0 : 1;
      }
    }
    QCOMPARE(curves, 8);  // loss raw+smoothed, val, lr, grad raw+smoothed, tokens/s raw+smoothed
    // And what QCustomPlot draws (the cut for the same view) is the same too.
    whole->customPlot()->replot();
    batched->customPlot()->replot();
    const auto a = graphData(*whole);
    const auto b = graphData(*batched);
    QCOMPARE(a.keys(), b.keys());
    for (const QString& id : a.keys()) {
      QVERIFY2(a[id].size() == b[id].size(), qPrintable(id));
      for (int i = 0; i < a[id].size(); ++i) QVERIFY(a[id][i].key == b[id][i].key && a[id][i].value == b[id][i].value);
    }
    // The smoothed loss curve holds the data set's smoothed values.
    const MetricSeries* loss = whole->data().series("run-a", "loss");
    const auto smoothed = points(*whole, "loss");
    QCOMPARE(smoothed.size(), loss->size());
    QCOMPARE(smoothed[1234].y(), loss->smoothedValue(1234));
    QCOMPARE(points(*whole, "loss", true).size(), 2000);
    QCOMPARE(points(*whole, "loss", true)[1234].y(), loss->value(1234));
    QCOMPARE(points(*whole, "val_loss").size(), 20);
    // 2000 points on a ~850-pixel plot: fewer than 4 per pixel, so nothing is cut.
    QCOMPARE(curve(*whole, "loss")->data()->size(), 2000);
  }

  void longCurvesAreCutToThePixelWidth() {
    auto canvas = shownCanvas();
    canvas->setSmoothing(0.0);
    canvas->appendSamples(lossRun(100000));
    canvas->customPlot()->replot();
    const int width = canvas->customPlot()->axisRect(0)->width();
    QCPGraph* g = curve(*canvas, "loss", true);
    QVERIFY(!g->visible());  // no smoothing: the raw curve is the main one
    g = curve(*canvas, "loss");
    QVERIFY(g->data()->size() <= 4 * width + 2);
    QVERIFY(g->data()->size() >= width);
    QCOMPARE(g->data()->constBegin()->key, 1.0);  // the ends are kept
    QCOMPARE((g->data()->constEnd() - 1)->key, 100000.0);
    // Zoomed in to 1000 steps: every point is drawn again.
    canvas->customPlot()->axisRect(0)->axis(QCPAxis::atBottom)->setRange(5000, 6000);
    canvas->customPlot()->replot();
    QCOMPARE(g->data()->size(), 1001 + 2);  // 5000..6000 and one point beyond each edge
  }

  void resumeReplacesTheTailOfTheCurve() {
    RunPlotCanvas canvas;
    canvas.appendSamples(lossRun(100));
    QVector<MetricSample> resumed;
    for (qint64 s = 50; s <= 60; ++s) resumed.append({"r", "loss", s, s * 1000, s * 0.25, 1.0});
    canvas.appendSamples(resumed);
    const auto g = points(canvas, "loss", true);
    QCOMPARE(g.size(), 60);
    QCOMPARE(g.last().x(), 60.0);
    QCOMPARE(g.last().y(), 1.0);
  }

  void checkpointMarkersSitOnTheSmoothedLoss() {
    RunPlotCanvas canvas;
    canvas.setSmoothing(0.5);
    canvas.addCheckpoint({"r", 10});  // before its loss arrives: placed once it does
    canvas.appendSamples(lossRun(5));
    QCOMPARE(checkpointGraph(canvas, "r")->data()->size(), 0);
    canvas.appendSamples(lossRun(30).mid(5));
    canvas.addCheckpoint({"r", 20});
    QCPGraph* marks = checkpointGraph(canvas, "r");
    QCOMPARE(marks->data()->size(), 2);
    const MetricSeries* loss = canvas.data().series("r", "loss");
    QCOMPARE(marks->data()->at(0)->key, 10.0);
    QCOMPARE(marks->data()->at(0)->value, loss->smoothedValue(9));
    QCOMPARE(marks->data()->at(1)->key, 20.0);
    canvas.setXAxis(XAxis::Tokens);
    QCOMPARE(marks->data()->at(0)->key, 10000.0);
    canvas.setXAxis(XAxis::WallTime);
    QCOMPARE(marks->data()->at(1)->key, 5.0);
    canvas.setSmoothing(0.9);
    QCOMPARE(marks->data()->at(1)->value, loss->smoothedValue(19));
  }

  void clickSelectsTheNearestCheckpoint() {
    auto canvas = shownCanvas();
    canvas->appendSamples(lossRun(2000));
    for (qint64 s : {500, 1000, 1500, 2000}) canvas->addCheckpoint({"r", s});
    canvas->customPlot()->replot();
    QSignalSpy spy(canvas.get(), &RunPlotCanvas::checkpointSelected);
    QCPAxis* x = canvas->customPlot()->axisRect(0)->axis(QCPAxis::atBottom);
    QCPAxis* y = canvas->customPlot()->axisRect(0)->axis(QCPAxis::atLeft);
    // A click on the curve at step 1200 (nearer 1000 than 1500), through real mouse events.
    const QPoint at(qRound(x->coordToPixel(1200)), qRound(y->coordToPixel(1.0)));
    QTest::mouseClick(canvas->customPlot(), Qt::LeftButton, Qt::NoModifier, at);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy[0][0].toString(), QStringLiteral("r"));
    QCOMPARE(spy[0][1].toLongLong(), 1000);
    QCOMPARE(canvas->selectedCheckpoint()->step, 1000);
    QCOMPARE(canvas->selectedCheckpoint()->tokens, 1000000);
    QVERIFY(canvas->selectCheckpointNear(QPointF(x->coordToPixel(1900), at.y())));
    QCOMPARE(spy.last()[1].toLongLong(), 2000);
    QVERIFY(canvas->selectCheckpoint("r", 500));
    QVERIFY(!canvas->selectCheckpoint("r", 501));
    // A drag is a pan, not a click: no selection, and the view stops following.
    QVERIFY(canvas->isFollowing());
    QTest::mousePress(canvas->customPlot(), Qt::LeftButton, Qt::NoModifier, at);
    QMouseEvent move(QEvent::MouseMove, QPointF(at + QPoint(60, 0)),
                     canvas->customPlot()->mapToGlobal(QPointF(at + QPoint(60, 0))), Qt::NoButton, Qt::LeftButton,
                     Qt::NoModifier);
    QApplication::sendEvent(canvas->customPlot(), &move);
    QTest::mouseRelease(canvas->customPlot(), Qt::LeftButton, Qt::NoModifier, at + QPoint(60, 0));
    QCOMPARE(spy.size(), 3);
    QVERIFY(!canvas->isFollowing());
    QSignalSpy cleared(canvas.get(), &RunPlotCanvas::checkpointSelectionCleared);
    canvas->clear();
    QCOMPARE(cleared.size(), 1);
    QVERIFY(!canvas->selectedCheckpoint());
    QVERIFY(!canvas->selectCheckpointNear(QPointF(at)));
  }

  void comparisonTiesPickTheMarkerNearestVertically() {
    auto canvas = shownCanvas();
    canvas->appendSamples(lossRun(1000, "low"));
    auto high = lossRun(1000, "high");
    for (auto& s : high) s.value += 5;
    canvas->appendSamples(high);
    canvas->addCheckpoint({"low", 500});
    canvas->addCheckpoint({"high", 500});
    canvas->customPlot()->replot();
    const QPointF highMarker = *canvas->checkpointPixel("high", 500);
    const QPointF lowMarker = *canvas->checkpointPixel("low", 500);
    QVERIFY(highMarker.y() < lowMarker.y());  // higher loss, higher on screen
    QSignalSpy spy(canvas.get(), &RunPlotCanvas::checkpointSelected);
    QVERIFY(canvas->selectCheckpointNear(highMarker + QPointF(30, -3)));
    QCOMPARE(spy.last()[0].toString(), QStringLiteral("high"));
    QVERIFY(canvas->selectCheckpointNear(lowMarker + QPointF(-30, 3)));
    QCOMPARE(spy.last()[0].toString(), QStringLiteral("low"));
  }

  void axisSwitchingRekeysEveryCurve() {
    RunPlotCanvas canvas;
    canvas.appendSamples(lossRun(10));
    QCOMPARE(points(canvas, "loss")[3].x(), 4.0);
    canvas.setXAxis(XAxis::Tokens);
    QCOMPARE(canvas.xAxis(), XAxis::Tokens);
    QCOMPARE(points(canvas, "loss")[3].x(), 4000.0);
    QCOMPARE(canvas.customPlot()->axisRect(3)->axis(QCPAxis::atBottom)->label(), QStringLiteral("tokens seen"));
    canvas.setXAxis(XAxis::WallTime);
    QCOMPARE(points(canvas, "loss")[3].x(), 1.0);
    QCOMPARE(canvas.customPlot()->axisRect(0)->axis(QCPAxis::atBottom)->range().upper, 2.5);
    canvas.setXAxis(XAxis::Step);
    QCOMPARE(points(canvas, "loss")[9].x(), 10.0);
    // Every panel shares the horizontal range.
    for (int r = 1; r < 4; ++r)
      QCOMPARE(canvas.customPlot()->axisRect(r)->axis(QCPAxis::atBottom)->range(),
               canvas.customPlot()->axisRect(0)->axis(QCPAxis::atBottom)->range());
  }

  void logAxesLeaveOutWhatTheyCannotShow() {
    RunPlotCanvas canvas;
    QVector<MetricSample> samples;
    const double values[] = {2.0, 0.0, -1.0, 1.5, 1.0};
    for (int i = 0; i < 5; ++i) samples.append({"r", "loss", i + 1, (i + 1) * 10, i * 1.0, values[i]});
    samples.append({"r", "val_loss", 0, 0, 0.0, 2.5});  // an eval before the first step
    canvas.appendSamples(samples);
    QCOMPARE(canvas.hiddenPointCount(), 0);
    canvas.setLogY(true);
    auto raw = points(canvas, "loss", true);
    QCOMPARE(raw.size(), 5);  // kept in place as gaps ...
    QVERIFY(std::isnan(raw[1].y()));
    QVERIFY(std::isnan(raw[2].y()));
    QCOMPARE(raw[3].y(), 1.5);
    QCOMPARE(canvas.hiddenPointCount(), 2);  // ... and counted
    const QCPRange y = canvas.customPlot()->axisRect(0)->axis(QCPAxis::atLeft)->range();
    QVERIFY(y.lower > 0);
    QVERIFY(y.lower <= 1.0 && y.upper >= 2.5);
    canvas.setLogX(true);  // the wall-time axis would have 0; on steps the eval at step 0 goes
    QCOMPARE(points(canvas, "val_loss").size(), 0);
    QCOMPARE(canvas.hiddenPointCount(), 3);
    QVERIFY(canvas.customPlot()->axisRect(0)->axis(QCPAxis::atBottom)->range().lower > 0);
    canvas.setLogY(false);
    canvas.setLogX(false);
    QCOMPARE(canvas.hiddenPointCount(), 0);
    raw = points(canvas, "loss", true);
    QCOMPARE(raw[2].y(), -1.0);
    QCOMPARE(points(canvas, "val_loss").size(), 1);
  }

  void followModeFitsNewDataUntilThePersonZooms() {
    auto canvas = shownCanvas();
    QSignalSpy following(canvas.get(), &RunPlotCanvas::followingChanged);
    canvas->appendSamples(lossRun(100));
    QCPAxis* x = canvas->customPlot()->axisRect(0)->axis(QCPAxis::atBottom);
    QCOMPARE(x->range().upper, 100.0);
    canvas->appendSamples(lossRun(200).mid(100));
    QCOMPARE(x->range().upper, 200.0);
    QWheelEvent wheel(QPointF(400, 200), canvas->customPlot()->mapToGlobal(QPointF(400, 200)), QPoint(), QPoint(0, 120),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(canvas->customPlot(), &wheel);
    QVERIFY(!canvas->isFollowing());
    QCOMPARE(following.size(), 1);
    const QCPRange zoomed = x->range();
    QVERIFY(zoomed.upper < 200.0);
    canvas->appendSamples(lossRun(300).mid(200));
    QCOMPARE(x->range(), zoomed);
    canvas->resetView();
    QVERIFY(canvas->isFollowing());
    QCOMPARE(x->range().upper, 300.0);
    QCOMPARE(x->range().lower, 1.0);
  }

  void nearestPointFindsTheValueUnderTheCursor() {
    auto canvas = shownCanvas();
    canvas->setSmoothing(0.0);
    canvas->appendSamples(lossRun(100));
    canvas->customPlot()->replot();
    QCPAxis* x = canvas->customPlot()->axisRect(0)->axis(QCPAxis::atBottom);
    QCPAxis* y = canvas->customPlot()->axisRect(0)->axis(QCPAxis::atLeft);
    const auto p = canvas->nearestPoint(QPointF(x->coordToPixel(25.2), y->coordToPixel(2.0) + 3));
    QVERIFY(p);
    QCOMPARE(p->step, 25);
    QCOMPARE(p->tokens, 25000);
    QCOMPARE(p->value, 2.0);
    QCOMPARE(p->name, QStringLiteral("loss"));
    QVERIFY(!canvas->nearestPoint(QPointF(2, 2)));  // outside every plot
  }

  void exportsWritePicturesOfTheRightSize() {
    auto canvas = shownCanvas();
    canvas->appendSamples(syntheticRun(SyntheticRunOptions{}));
    canvas->addCheckpoint({"run-a", 1000});
    QTemporaryDir dir;
    QString error;
    QVERIFY2(canvas->saveImage(dir.filePath("plot.png"), QSize(800, 500), &error), qPrintable(error));
    QCOMPARE(QImage(dir.filePath("plot.png")).size(), QSize(800, 500));
    QVERIFY(canvas->saveImage(dir.filePath("plot2x.png"), QSize(800, 500), &error, 2.0));
    QCOMPARE(QImage(dir.filePath("plot2x.png")).size(), QSize(1600, 1000));

    QVERIFY2(canvas->saveImage(dir.filePath("plot.pdf"), QSize(800, 500), &error), qPrintable(error));
    QFile pdf(dir.filePath("plot.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    const QByteArray bytes = pdf.readAll();
    QVERIFY(bytes.startsWith("%PDF"));
    QVERIFY(bytes.size() > 1000);
    // QCustomPlot lays the PDF page out at the given size in points.
    const QRegularExpression mediaBox(QStringLiteral("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]"));
    const auto match = mediaBox.match(QString::fromLatin1(bytes));
    QVERIFY(match.hasMatch());
    QCOMPARE(qRound(match.captured(1).toDouble()), 800);
    QCOMPARE(qRound(match.captured(2).toDouble()), 500);

    if (RunPlotCanvas::svgExportAvailable()) {
      QVERIFY2(canvas->saveImage(dir.filePath("plot.svg"), QSize(800, 500), &error), qPrintable(error));
      QFile svg(dir.filePath("plot.svg"));
      QVERIFY(svg.open(QIODevice::ReadOnly));
      const QByteArray text = svg.readAll();
      QVERIFY(text.contains("<svg"));
      QVERIFY(text.contains("viewBox=\"0 0 800 500\""));
      QVERIFY(text.contains("<path") || text.contains("<polyline"));
    } else {
      QVERIFY(!canvas->saveImage(dir.filePath("plot.svg"), QSize(800, 500), &error));
      QVERIFY(error.contains("SVG"));
    }
    QVERIFY(!canvas->saveImage(dir.filePath("plot.bmpx"), QSize(800, 500), &error));
    QVERIFY(error.contains("bmpx"));
    QVERIFY(!canvas->saveImage(dir.filePath("missing/folder/plot.png"), QSize(800, 500), &error));
    QVERIFY(error.contains("missing/folder/plot.png"));

    QVERIFY(canvas->saveCsv(dir.filePath("data.csv"), &error));
    QFile csv(dir.filePath("data.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(csv.readAll()), canvas->toCsv());
    QVERIFY(!canvas->saveCsv(dir.filePath("missing/data.csv"), &error));
    QVERIFY(error.contains("missing/data.csv"));
  }

  void comparisonColoursByRunAndNamesRunsInTheLegend() {
    RunPlotCanvas canvas;
    canvas.appendSamples(lossRun(10, "a"));
    QCustomPlot* plot = canvas.customPlot();
    QCOMPARE(plot->legend->itemCount(), 1);
    QCOMPARE(curve(canvas, "loss")->name(), QStringLiteral("train loss"));
    canvas.appendSamples(lossRun(10, "b"));
    canvas.setRunLabel("b", "lr 3e-4");
    QCOMPARE(plot->legend->itemCount(), 2);
    QStringList names;
    QSet<QRgb> colours;
    for (int i = 0; i < plot->graphCount(); ++i) {
      QCPGraph* g = plot->graph(i);
      if (g->property("temperRaw").toBool() || g->property("temperMetric").toString() != "loss") continue;
      names.append(g->name());
      colours.insert(g->pen().color().rgb());
    }
    QCOMPARE(names, QStringList({"a", "lr 3e-4"}));
    QCOMPARE(colours.size(), 2);
  }
};

QTEST_MAIN(RunPlotCanvasTest)
#include "run_plot_canvas_test.moc"
