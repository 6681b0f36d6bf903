#include "core/engine/console.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace temper {

Console::Console(bool events_requested)
    : events_(events_requested || !::isatty(STDOUT_FILENO) ? stdout : nullptr),
      stderr_is_tty_(::isatty(STDERR_FILENO) != 0) {}

void Console::say(const std::string& line) {
  if (progress_visible_) endProgress();
  std::FILE* out = events_.enabled() ? stderr : stdout;
  std::fprintf(out, "%s\n", line.c_str());
  std::fflush(out);
}

void Console::progress(double fraction, const std::string& text, double eta_s) {
  if (!stderr_is_tty_) return;
  constexpr int kWidth = 24;
  int filled = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * kWidth));
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  std::fprintf(stderr, "\r\033[K[%s] %3.0f%% %s ETA %s", bar.c_str(), fraction * 100.0, text.c_str(),
               formatDuration(eta_s).c_str());
  std::fflush(stderr);
  progress_visible_ = true;
}

void Console::endProgress() {
  if (!progress_visible_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  progress_visible_ = false;
}

std::string formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  long total = std::lround(seconds);
  char buffer[32];
  if (total >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", total / 3600, (total % 3600) / 60);
  } else if (total >= 60) {
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", total / 60, total % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lds", total);
  }
  return buffer;
}

}  // namespace temper
