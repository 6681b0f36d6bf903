// RunPlotCanvas: the picture as a file — PNG and PDF through QCustomPlot, SVG through Qt SVG when
// the build found it (TEMPER_PLOT_HAVE_SVG).
#include <QFileInfo>

#include "ui/plot/run_plot_canvas_impl.h"

#ifdef TEMPER_PLOT_HAVE_SVG
#include <QSvgGenerator>
#endif

namespace temper::studio {

bool RunPlotCanvas::svgExportAvailable() {
#ifdef TEMPER_PLOT_HAVE_SVG
  return true;
#else
  return false;
#endif
}

bool RunPlotCanvas::saveImage(const QString& path, QSize size, QString* error, double scale) {
  const auto fail = [&](const QString& message) {
    if (error) *error = message;
    return false;
  };
  if (size.width() <= 0 || size.height() <= 0)
    return fail(tr("Could not write %1: the size %2 x %3 is empty").arg(path).arg(size.width()).arg(size.height()));
  // A file is a picture of the curves, not of where the mouse happened to be.
  d_->hideHover();
  const QString suffix = QFileInfo(path).suffix().toLower();
  bool ok = false;
  if (suffix == QLatin1String("png")) {
    ok = d_->plot->savePng(path, size.width(), size.height(), scale > 0 ? scale : 1.0);
  } else if (suffix == QLatin1String("pdf")) {
    ok = d_->plot->savePdf(path, size.width(), size.height());
  } else if (suffix == QLatin1String("svg")) {
#ifdef TEMPER_PLOT_HAVE_SVG
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setTitle(tr("Temper training curves"));
    QCPPainter painter;
    ok = painter.begin(&generator);
    if (ok) {
      d_->plot->toPainter(&painter, size.width(), size.height());
      ok = painter.end();
    }
#else
    return fail(
        tr("Could not write %1: this build has no SVG support (Qt SVG was not found when it was built)").arg(path));
#endif
  } else {
    return fail(tr("Could not write %1: unknown picture format \"%2\" (expected png, pdf or svg)").arg(path, suffix));
  }
  if (!ok) return fail(tr("Could not write %1 (is the folder writable?)").arg(path));
  return true;
}

}  // namespace temper::studio
