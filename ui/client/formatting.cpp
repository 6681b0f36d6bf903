#include "ui/client/formatting.h"

namespace temper::studio {

namespace {

/// Three significant digits at most: "1.23", "12.3", "123".
QString scaled(double x, const char* unit) {
  return QStringLiteral("%1 %2").arg(QString::number(x, 'f', x < 10 ? 2 : (x < 100 ? 1 : 0)), QLatin1String(unit));
}

}  // namespace

QString formatCount(qint64 n) {
  const double v = static_cast<double>(n);
  if (n >= 1000000000) return scaled(v / 1e9, "B");
  if (n >= 1000000) return scaled(v / 1e6, "M");
  if (n >= 1000) return scaled(v / 1e3, "k");
  return QString::number(n);
}

QString formatBytes(qint64 n) {
  const double v = static_cast<double>(n);
  if (n >= (qint64(1) << 30)) return scaled(v / double(qint64(1) << 30), "GiB");
  if (n >= (qint64(1) << 20)) return scaled(v / double(qint64(1) << 20), "MiB");
  if (n >= (qint64(1) << 10)) return scaled(v / 1024.0, "KiB");
  return QStringLiteral("%1 B").arg(n);
}

}  // namespace temper::studio
