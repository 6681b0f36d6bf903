#include "core/engine/blas_kernel_choice.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>

#include "core/common/cpu_features.h"
#include "core/engine/blas_core.h"

namespace temper {
namespace {

std::optional<BlasKernelReport> g_report;
std::mutex g_report_mutex;

std::string openBlasCoreName() {
  using CoreNameFn = char* (*)();
  auto fn = reinterpret_cast<CoreNameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (fn == nullptr) return "";
  const char* name = fn();
  if (name == nullptr) return "";
  return canonicalOpenBlasCore(name);  // OpenBLAS answers in lower case ("cooperlake")
}

// A DYNAMIC_ARCH OpenBLAS exports one gotoblas_<CORE> table per core it was built with.
bool libraryHasCore(std::string_view core) {
  std::string symbol = "gotoblas_";
  for (char c : core) symbol += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return dlsym(RTLD_DEFAULT, symbol.c_str()) != nullptr;
}

// What OpenBLAS runs now and the strongest core this CPU and library allow.
std::pair<std::string, std::string> chosenAndBest() {
  std::string chosen = openBlasCoreName();
  std::string best = chosen.empty() ? "" : bestOpenBlasCore(cpuFeatures(), libraryHasCore);
  return {chosen, best};
}

BlasKernelReport assess(const BlasCoreDecision& decision, const std::string& chosen, const std::string& best) {
  return BlasKernelReport{chosen, chosen.empty() ? "" : best, decision.how, decision.warning};
}

}  // namespace

Json BlasKernelReport::toJson() const {
  return Json{{"openblas_core", chosen.empty() ? Json(nullptr) : Json(chosen)},
              {"best_core", best.empty() ? Json(nullptr) : Json(best)},
              {"how", how},
              {"warning", warning.empty() ? Json(nullptr) : Json(warning)}};
}

void chooseBlasKernelAtStart(char** argv) {
  const auto [chosen, best] = chosenAndBest();
  const char* user = std::getenv("OPENBLAS_CORETYPE");
  // Test hook: a weak core that OPENBLAS_CORETYPE forced stands in for OpenBLAS's own fallback, so
  // that a test can watch a restart on a CPU that OpenBLAS recognises (tests/core/engine).
  if (std::getenv(kBlasFakeFallbackVariable) != nullptr) {
    user = nullptr;
    unsetenv(kBlasFakeFallbackVariable);
  }
  const char* restarted = std::getenv(kBlasRestartVariable);
  const std::string restarted_from = restarted ? restarted : "";
  BlasCoreDecision decision = decideBlasCore(chosen, best, user, restarted ? restarted_from.c_str() : nullptr);
  if (restarted) unsetenv(kBlasRestartVariable);
  if (decision.reexec) {
    setenv("OPENBLAS_CORETYPE", decision.core.c_str(), 1);
    setenv(kBlasRestartVariable, chosen.c_str(), 1);
    execv("/proc/self/exe", argv);
    // Still here: the restart failed. Carry on with the weak kernels, and say so.
    unsetenv("OPENBLAS_CORETYPE");
    unsetenv(kBlasRestartVariable);
    decision.how =
        "OpenBLAS chose " + chosen + "; restarting with " + decision.core + " failed (" + std::strerror(errno) + ")";
    decision.warning = "OpenBLAS runs " + chosen + " kernels; this CPU can run " + best +
                       " (set OPENBLAS_CORETYPE=" + best + " before starting temper)";
  }
  std::lock_guard lock(g_report_mutex);
  g_report = assess(decision, chosen, best);
}

const BlasKernelReport& blasKernelReport() {
  std::lock_guard lock(g_report_mutex);
  if (!g_report) {
    const auto [chosen, best] = chosenAndBest();
    BlasCoreDecision decision = decideBlasCore(chosen, best, std::getenv("OPENBLAS_CORETYPE"), nullptr);
    if (decision.reexec) {
      decision.how = "chosen by OpenBLAS (this program does not restart itself)";
      decision.warning =
          "OpenBLAS runs " + chosen + " kernels; this CPU can run " + best + " (set OPENBLAS_CORETYPE=" + best + ")";
    }
    g_report = assess(decision, chosen, best);
  }
  return *g_report;
}

}  // namespace temper
