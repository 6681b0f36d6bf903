#pragma once
/// Puts OpenBLAS on the strongest kernels this CPU runs before the engine does any work: reads the
/// core OpenBLAS chose when it was loaded, compares it with the CPU's instruction sets
/// (blas_core.h), and when it is weaker and the user did not set OPENBLAS_CORETYPE, executes the
/// same program again with OPENBLAS_CORETYPE set. OpenBLAS reads that variable only while it is
/// loaded, so a restart is the one way to change it. Same process id, same arguments, same open
/// files: the studio, which started the engine, does not notice.
#include <string>

#include "core/common/json_io.h"

namespace temper {

/// The environment variable that marks a restarted engine (its value: the core OpenBLAS had chosen
/// first). Its presence forbids a second restart; the restarted process removes it, so programs it
/// starts in turn decide for themselves.
inline constexpr const char* kBlasRestartVariable = "TEMPER_BLAS_RESTARTED_FROM";

/// Test hook: when set, OPENBLAS_CORETYPE counts as OpenBLAS's own choice rather than the user's, so
/// a forced weak core triggers the restart that a CPU unknown to OpenBLAS would.
inline constexpr const char* kBlasFakeFallbackVariable = "TEMPER_TEST_BLAS_FALLBACK";

/// Call first in main(), before any thread starts. Returns when no restart is needed or possible;
/// otherwise does not return.
void chooseBlasKernelAtStart(char** argv);

struct BlasKernelReport {
  std::string chosen;   ///< openblas_get_corename(), e.g. "Cooperlake"; empty when the BLAS is not OpenBLAS
  std::string best;     ///< the strongest core for this CPU that the loaded OpenBLAS has
  std::string how;      ///< how `chosen` came about, in words
  std::string warning;  ///< set when a weaker core than `best` stays in use
  Json toJson() const;
};

/// What chooseBlasKernelAtStart decided; programs that never call it (tests, benchmarks) get the
/// same assessment without a restart.
const BlasKernelReport& blasKernelReport();

}  // namespace temper
