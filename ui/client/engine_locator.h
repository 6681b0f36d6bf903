#pragma once
/// Which `temper` the studio starts.
#include <QString>

namespace temper::studio {

/// Environment variable that overrides everything (tests, packagers, people with two builds).
inline constexpr const char* kEngineEnvVar = "TEMPER_ENGINE";

/// TEMPER_ENGINE if set; else `configured` (the Settings value) if it names an executable file; else
/// `temper` next to the studio executable; else `temper` on PATH. Empty when none exists.
QString resolveEnginePath(const QString& configured = {});

}  // namespace temper::studio
