#pragma once
/// Where the engine's output goes. Machine-readable events go to stdout (with `--events` or when
/// stdout is not a terminal); words for people go to stdout on a terminal, otherwise to stderr so
/// they never interleave with events. A progress bar with ETA is drawn on stderr only when stderr
/// is a terminal.
#include <string>

#include "core/protocol/event_writer.h"

namespace temper {

class Console {
 public:
  /// `events_requested`: the `--events` flag.
  explicit Console(bool events_requested);

  bool eventsEnabled() const { return events_.enabled(); }
  void emit(const Json& event) { events_.emit(event); }
  /// A line for people.
  void say(const std::string& line);
  /// Redraws the progress line (terminal only). `fraction` in [0, 1].
  void progress(double fraction, const std::string& text, double eta_s);
  void endProgress();

 private:
  EventWriter events_;
  bool stderr_is_tty_;
  bool progress_visible_ = false;
};

/// "1h02m", "3m12s", "45s".
std::string formatDuration(double seconds);

}  // namespace temper
