// Renders the live plot with realistic data (2000 noisy steps, validation every 100, checkpoints
// every 500) in light and dark palettes, single run and five-run comparison, into
// ${TEMPER_BUILD_DIR}/screenshots/plot-*.png for people to look at; checks that the pictures
// carry the palette's background and the curves' colours.
#include <QtTest>

#include <QDir>
#include <QStyle>
#include <QStyleFactory>

#include "tests/ui/plot/synthetic_run.h"
#include "ui/plot/live_run_plot.h"
#include "ui/plot/plot_theme.h"
#include "ui/plot/run_plot_canvas.h"

using namespace temper::studio;
using temper::studio::test_support::syntheticRun;
using temper::studio::test_support::SyntheticRunOptions;

namespace {

QPalette darkPalette() {
  QPalette p;
  p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
  p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
  p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
  p.setColor(QPalette::AlternateBase, QColor(0x2b, 0x2b, 0x2b));
  p.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
  p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
  p.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
  p.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::ToolTipBase, QColor(0x35, 0x35, 0x35));
  p.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe6, 0xe6));
  p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
  p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
  p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
  return p;
}

QString screenshotPath(const QString& name) {
  const QString dir = QStringLiteral(TEMPER_BUILD_DIR) + QStringLiteral("/screenshots");
  QDir().mkpath(dir);
  return dir + QStringLiteral("/plot-") + name + QStringLiteral(".png");
}

// How many pixels of `image` are within a small distance of `color`.
int countNear(const QImage& image, QColor color, int tolerance = 12) {
  int n = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const QColor c = image.pixelColor(x, y);
      if (std::abs(c.red() - color.red()) + std::abs(c.green() - color.green()) + std::abs(c.blue() - color.blue()) <=
          tolerance)
        ++n;
    }
  return n;
}

void feedSingleRun(LiveRunPlot& plot) {
  plot.appendSamples(syntheticRun(SyntheticRunOptions{}));
  for (qint64 s = 500; s <= 2000; s += 500) plot.addCheckpoint({"run-a", s});
  plot.canvas()->selectCheckpoint("run-a", 1000);
}

void feedComparison(LiveRunPlot& plot) {
  const double floors[] = {1.8, 2.0, 1.65, 2.3, 1.9};
  const char* const labels[] = {"baseline", "lr 3e-4", "lr 1e-3", "no warmup", "dropout 0.1"};
  for (int r = 0; r < 5; ++r) {
    SyntheticRunOptions o;
    o.run = QStringLiteral("run-%1").arg(r);
    o.floor = floors[r];
    o.seed = 10 + r;
    o.steps = 2000 - r * 200;
    plot.appendSamples(syntheticRun(o));
    plot.setRunLabel(o.run, QString::fromLatin1(labels[r]));
    for (qint64 s = 500; s <= o.steps; s += 500) plot.addCheckpoint({o.run, s});
  }
}

}  // namespace

class PlotScreenshotTest : public QObject {
  Q_OBJECT

  // Shows, grabs and saves the widget; returns the picture.
  QImage shoot(LiveRunPlot& plot, const QString& name) {
    plot.resize(1100, 760);
    plot.show();
    if (!QTest::qWaitForWindowExposed(&plot)) qWarning("not exposed");
    QCoreApplication::processEvents();  // the queued replot
    const QImage image = plot.grab().toImage();
    if (!image.save(screenshotPath(name))) qWarning("could not save %s", qPrintable(screenshotPath(name)));
    return image;
  }

 private Q_SLOTS:
  void initTestCase() { QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion"))); }

  void singleRunLight() {
    LiveRunPlot plot;
    plot.setPalette(QApplication::style()->standardPalette());
    feedSingleRun(plot);
    const QImage image = shoot(plot, "live-light");
    QVERIFY(QFileInfo::exists(screenshotPath("live-light")));
    const PlotTheme theme = PlotTheme::fromPalette(plot.palette());
    QVERIFY(!theme.dark);
    QVERIFY(countNear(image, theme.runColor(0)) > 500);  // the smoothed train loss
    QVERIFY(countNear(image, theme.runColor(1)) > 50);   // validation
  }

  void singleRunDark() {
    LiveRunPlot plot;
    plot.setPalette(darkPalette());
    feedSingleRun(plot);
    plot.setLogY(true);
    const QImage image = shoot(plot, "live-dark-logy");
    const PlotTheme theme = PlotTheme::fromPalette(plot.palette());
    QVERIFY(theme.dark);
    QVERIFY(countNear(image, theme.background, 3) > image.width() * image.height() / 3);
    QVERIFY(countNear(image, theme.runColor(0)) > 500);
  }

  void comparisonLight() {
    LiveRunPlot plot;
    plot.setPalette(QApplication::style()->standardPalette());
    feedComparison(plot);
    const QImage image = shoot(plot, "compare-light");
    const PlotTheme theme = PlotTheme::fromPalette(plot.palette());
    for (int r = 0; r < 5; ++r) QVERIFY2(countNear(image, theme.runColor(r)) > 200, qPrintable(QString::number(r)));
  }

  void comparisonDarkTokens() {
    LiveRunPlot plot;
    plot.setPalette(darkPalette());
    feedComparison(plot);
    plot.setXAxis(XAxis::Tokens);
    plot.setSmoothing(0.9);
    plot.canvas()->selectCheckpoint("run-2", 1500);
    const QImage image = shoot(plot, "compare-dark-tokens");
    const PlotTheme theme = PlotTheme::fromPalette(plot.palette());
    for (int r = 0; r < 5; ++r) QVERIFY2(countNear(image, theme.runColor(r)) > 200, qPrintable(QString::number(r)));
  }

  void exportedPng() {
    LiveRunPlot plot;
    plot.setPalette(QApplication::style()->standardPalette());
    feedSingleRun(plot);
    plot.canvas()->setAuxiliaryPlotsVisible(false);
    plot.resize(1100, 760);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    QString error;
    QVERIFY2(plot.canvas()->saveImage(screenshotPath("export-loss-only"), QSize(900, 500), &error, 2.0),
             qPrintable(error));
    QCOMPARE(QImage(screenshotPath("export-loss-only")).size(), QSize(1800, 1000));
  }
};

QTEST_MAIN(PlotScreenshotTest)
#include "plot_screenshot_test.moc"
