#pragma once
/// Which of OpenBLAS's x86-64 kernel families ("cores") a processor should run, and what the engine
/// does when OpenBLAS picked a weaker one. Debian's OpenBLAS 0.3.21 identifies processors by family
/// and model number; a model it does not know (a 2023 Xeon reporting model 207, say) gets its oldest
/// kernels, Prescott, and sgemm runs 5x slower. The CPU's instruction sets say what it can run, so
/// the engine compares the two and, if needed, restarts itself once with OPENBLAS_CORETYPE set
/// (docs/cpu-speed.md). Pure functions: the start-up side lives in blas_kernel_choice.h.
#include <functional>
#include <string>
#include <string_view>

#include "core/common/cpu_features.h"

namespace temper {

/// How strong a core's single-precision kernels are: 0 (Prescott, SSE3) .. 7 (SapphireRapids, AMX).
/// Cores using the same instruction sets rank equal (Haswell and Zen: AVX2 + FMA). -1 for a name
/// this table does not know. Case-insensitive, as OPENBLAS_CORETYPE is.
int openBlasCoreRank(std::string_view core);

/// `core` spelled as this table and OPENBLAS_CORETYPE spell it ("cooperlake" -> "Cooperlake"), or
/// unchanged when the table does not know it.
std::string canonicalOpenBlasCore(std::string_view core);

/// The strongest core whose instruction sets `cpu` has, among those `library_has` says the loaded
/// OpenBLAS was built with (Debian's 0.3.21: up to Cooperlake). Zen rather than Haswell on AMD,
/// as OpenBLAS itself names it. "Prescott" when nothing better fits.
std::string bestOpenBlasCore(const CpuFeatures& cpu, const std::function<bool(std::string_view)>& library_has);

struct BlasCoreDecision {
  bool reexec = false;  ///< restart the process with OPENBLAS_CORETYPE = `core`
  std::string core;     ///< the core to ask for when reexec
  std::string how;      ///< how the running core came about, for people
  std::string warning;  ///< non-empty when a weaker core than the CPU allows stays in use
};

/// `chosen`: openblas_get_corename() (empty when the BLAS is not OpenBLAS); `best`: bestOpenBlasCore;
/// `user_coretype`: OPENBLAS_CORETYPE as the process found it (nullptr when unset); `reexec_from`:
/// the core OpenBLAS had chosen before this process was restarted by the engine (nullptr on a first
/// start). Never asks for a second restart: after one, a weak core is reported, not retried.
BlasCoreDecision decideBlasCore(std::string_view chosen, std::string_view best, const char* user_coretype,
                                const char* reexec_from);

}  // namespace temper
