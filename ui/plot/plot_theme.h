#pragma once
/// Colours of the plots, taken from the widget's palette so they follow the light or dark theme
/// of the studio. Run colours are Tableau 10 (distinct for the common forms of colour blindness and
/// readable on white); on dark backgrounds they are lightened so thin lines keep their contrast.
#include <QColor>
#include <QPalette>

namespace temper::studio {

struct PlotTheme {
  QColor background;  ///< plot and axis-rect background
  QColor foreground;  ///< axes, tick labels, text
  QColor grid;        ///< major grid lines
  QColor subGrid;     ///< minor grid lines
  QColor legendBackground;
  bool dark = false;

  /// The theme for a palette: dark when its base colour is dark.
  static PlotTheme fromPalette(const QPalette& palette);
  /// The colour of the i-th run (cycles after 10).
  QColor runColor(int index) const;
  /// A colour with the given opacity (0..1): faint raw curves beneath the smoothed ones.
  static QColor withAlpha(QColor color, double alpha);
};

}  // namespace temper::studio
