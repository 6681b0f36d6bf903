#pragma once
/// Light and dark palettes (Fusion style), or the platform's own palette for "follow the system".
#include <QPalette>

#include "ui/shell/app_settings.h"

class QApplication;

namespace temper::studio {

QPalette lightPalette();
QPalette darkPalette();
/// Applies `theme` to the whole application. The first call remembers the system palette so that
/// "follow the system" can go back to it later.
void applyTheme(QApplication& app, Theme theme);

}  // namespace temper::studio
