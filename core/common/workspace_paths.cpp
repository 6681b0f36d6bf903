#include "core/common/workspace_paths.h"

#include <cstdlib>

#include "core/common/error.h"

namespace temper {

WorkspacePaths resolveWorkspace(const std::string& explicit_root) {
  if (!explicit_root.empty()) return {std::filesystem::absolute(explicit_root)};
  if (const char* env = std::getenv("TEMPER_WORKSPACE"); env && *env) return {std::filesystem::absolute(env)};
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return {std::filesystem::path(xdg) / "Temper"};
  const char* home = std::getenv("HOME");
  std::filesystem::path base = home && *home ? std::filesystem::path(home) : std::filesystem::current_path();
  return {base / ".local" / "share" / "Temper"};
}

void ensureWorkspace(const WorkspacePaths& paths) {
  std::error_code ec;
  std::filesystem::create_directories(paths.runsDir(), ec);
  if (ec) throwIoError("cannot create workspace folder " + paths.runsDir().string() + ": " + ec.message());
}

}  // namespace temper
