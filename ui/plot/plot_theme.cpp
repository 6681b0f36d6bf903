#include "ui/plot/plot_theme.h"

namespace temper::studio {

PlotTheme PlotTheme::fromPalette(const QPalette& palette) {
  PlotTheme theme;
  theme.background = palette.color(QPalette::Base);
  theme.foreground = palette.color(QPalette::Text);
  theme.dark = theme.background.lightnessF() < 0.5;
  theme.grid = withAlpha(theme.foreground, theme.dark ? 0.22 : 0.16);
  theme.subGrid = withAlpha(theme.foreground, theme.dark ? 0.09 : 0.06);
  theme.legendBackground = withAlpha(theme.background, 0.85);
  return theme;
}

QColor PlotTheme::runColor(int index) const {
  static const QRgb kTableau10[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                    0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
  const QColor base(kTableau10[index % 10]);
  return dark ? base.lighter(125) : base;
}

QColor PlotTheme::withAlpha(QColor color, double alpha) {
  color.setAlphaF(static_cast<float>(alpha));
  return color;
}

}  // namespace temper::studio
