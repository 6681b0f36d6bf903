#pragma once
/// Where Temper keeps its experiment store and runs: `--workspace DIR`, else `TEMPER_WORKSPACE`,
/// else `$XDG_DATA_HOME/Temper` (`~/.local/share/Temper`), the folder Qt's AppDataLocation names.
#include <filesystem>
#include <string>

namespace temper {

struct WorkspacePaths {
  std::filesystem::path root;
  std::filesystem::path database() const { return root / "temper.db"; }
  std::filesystem::path runsDir() const { return root / "runs"; }
  std::filesystem::path runDir(const std::string& run_id) const { return runsDir() / run_id; }
};

/// `explicit_root` empty means "not given on the command line".
WorkspacePaths resolveWorkspace(const std::string& explicit_root);
/// Creates the root and runs/ folders; throws Error(Io) naming the folder.
void ensureWorkspace(const WorkspacePaths& paths);

}  // namespace temper
