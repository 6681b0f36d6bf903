#include "core/engine/blas_core.h"

#include <array>
#include <cctype>
#include <utility>

namespace temper {
namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// OpenBLAS's x86-64 DYNAMIC_ARCH cores (driver/others/dynamic.c), ranked by the instruction sets
// their sgemm kernels use. Old 32-bit-era names are the SSE2/SSE3 baseline.
constexpr std::array<std::pair<std::string_view, int>, 27> kCoreRanks{{
    {"Katmai", 0},      {"Coppermine", 0},     {"Northwood", 0},  {"Banias", 0},
    {"Athlon", 0},      {"Opteron", 0},        {"Atom", 0},       {"Prescott", 0},
    {"Core2", 1},       {"Penryn", 1},         {"Dunnington", 1}, {"Opteron_SSE3", 1},
    {"Barcelona", 1},   {"Bobcat", 1},         {"Nano", 1},       {"Nehalem", 2},
    {"Sandybridge", 3}, {"Bulldozer", 3},      {"Piledriver", 3}, {"Haswell", 4},
    {"Zen", 4},         {"Steamroller", 4},    {"Excavator", 4},  {"SkylakeX", 5},
    {"Cooperlake", 6},  {"SapphireRapids", 7}, {"Unknown", 0},
}};

}  // namespace

int openBlasCoreRank(std::string_view core) {
  for (const auto& [name, rank] : kCoreRanks) {
    if (equalsIgnoringCase(name, core)) return rank;
  }
  return -1;
}

std::string canonicalOpenBlasCore(std::string_view core) {
  for (const auto& [name, rank] : kCoreRanks) {
    if (equalsIgnoringCase(name, core)) return std::string(name);
  }
  return std::string(core);
}

std::string bestOpenBlasCore(const CpuFeatures& cpu, const std::function<bool(std::string_view)>& library_has) {
  const bool amd = cpu.vendor == "AuthenticAMD" || cpu.vendor == "HygonGenuine";
  const std::pair<bool, std::string_view> candidates[] = {
      {cpu.hasAvx512() && cpu.avx512_bf16 && cpu.amx_bf16, "SapphireRapids"},
      {cpu.hasAvx512() && cpu.avx512_bf16, "Cooperlake"},
      {cpu.hasAvx512(), "SkylakeX"},
      {cpu.avx2 && cpu.fma, amd ? "Zen" : "Haswell"},
      {cpu.avx2 && cpu.fma, "Haswell"},
      {cpu.avx, "Sandybridge"},
      {cpu.sse4_2, "Nehalem"},
      {cpu.ssse3, "Core2"},
  };
  for (const auto& [fits, core] : candidates) {
    if (fits && library_has(core)) return std::string(core);
  }
  return "Prescott";
}

BlasCoreDecision decideBlasCore(std::string_view chosen, std::string_view best, const char* user_coretype,
                                const char* reexec_from) {
  BlasCoreDecision d;
  if (chosen.empty()) {
    d.how = "not OpenBLAS";
    return d;
  }
  const int chosen_rank = openBlasCoreRank(chosen), best_rank = openBlasCoreRank(best);
  const bool weaker = chosen_rank >= 0 && chosen_rank < best_rank;
  const std::string running(chosen), strongest(best);
  if (reexec_from != nullptr) {
    d.how = "engine restarted with OPENBLAS_CORETYPE=" + std::string(user_coretype ? user_coretype : "?") +
            " (OpenBLAS had chosen " + reexec_from + ")";
    if (weaker) {
      d.warning = "OpenBLAS still runs " + running + " kernels after the engine asked for " +
                  std::string(user_coretype ? user_coretype : "?") + "; this CPU can run " + strongest +
                  " kernels, several times faster";
    }
    return d;
  }
  if (user_coretype != nullptr) {
    d.how = "OPENBLAS_CORETYPE=" + std::string(user_coretype) + " set by the user";
    if (weaker) {
      d.warning = "OPENBLAS_CORETYPE=" + std::string(user_coretype) + " makes OpenBLAS run " + running +
                  " kernels; this CPU can run " + strongest + " (unset OPENBLAS_CORETYPE to let Temper choose)";
    }
    return d;
  }
  if (weaker) {
    d.reexec = true;
    d.core = strongest;
    d.how = "OpenBLAS chose " + running + "; restarting with " + strongest;
    return d;
  }
  d.how = "chosen by OpenBLAS";
  return d;
}

}  // namespace temper
