#pragma once
/// `temper runs list` and `temper runs show`: the experiment history, as text or JSON.
#include <string>

namespace temper {

/// Prints to stdout. `workspace` empty: TEMPER_WORKSPACE or the default.
void listRuns(const std::string& workspace, bool json);
void showRun(const std::string& workspace, const std::string& run_id, bool json);

}  // namespace temper
