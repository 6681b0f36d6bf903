#pragma once
/// Sizes as people read them, for every page that shows the engine's counts.
#include <QString>

namespace temper::studio {

/// "1.2 M", "124 M", "1.1 B": parameter counts as people say them.
QString formatCount(qint64 n);
/// "512 KiB", "1.4 GiB".
QString formatBytes(qint64 n);

}  // namespace temper::studio
