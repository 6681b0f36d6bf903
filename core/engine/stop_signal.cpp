#include "core/engine/stop_signal.h"

#include <csignal>

namespace temper {
namespace {

volatile std::sig_atomic_t g_stop_requested = 0;

void onStopSignal(int signal_number) {
  if (g_stop_requested && signal_number == SIGINT) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  g_stop_requested = 1;
}

}  // namespace

void installStopHandlers() {
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool stopRequested() { return g_stop_requested != 0; }
void requestStop() { g_stop_requested = 1; }

}  // namespace temper
