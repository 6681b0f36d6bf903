// The CPU-feature -> OpenBLAS-core table and the restart decision (core/engine/blas_core.h), and the
// cpuid reading against what the kernel reports in /proc/cpuinfo.
#include "core/engine/blas_core.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/common/cpu_features.h"

namespace temper {
namespace {

CpuFeatures avx2Cpu(const char* vendor) {
  CpuFeatures f;
  f.vendor = vendor;
  f.sse3 = f.ssse3 = f.sse4_2 = f.avx = f.fma = f.avx2 = true;
  return f;
}

CpuFeatures avx512Cpu(const char* vendor, bool bf16, bool amx) {
  CpuFeatures f = avx2Cpu(vendor);
  f.avx512f = f.avx512bw = f.avx512vl = f.avx512dq = f.avx512cd = true;
  f.avx512_bf16 = bf16;
  f.amx_tile = f.amx_bf16 = amx;
  return f;
}

// Debian 12's OpenBLAS 0.3.21 (checked with nm -D: gotoblas_* up to COOPERLAKE, no SAPPHIRERAPIDS).
bool debian0321(std::string_view core) { return core != "SapphireRapids"; }
bool everything(std::string_view) { return true; }

TEST(BlasCoreTable, RanksOrderTheKernelFamilies) {
  EXPECT_LT(openBlasCoreRank("Prescott"), openBlasCoreRank("Core2"));
  EXPECT_LT(openBlasCoreRank("Nehalem"), openBlasCoreRank("Sandybridge"));
  EXPECT_LT(openBlasCoreRank("Sandybridge"), openBlasCoreRank("Haswell"));
  EXPECT_EQ(openBlasCoreRank("Haswell"), openBlasCoreRank("Zen"));
  EXPECT_LT(openBlasCoreRank("Haswell"), openBlasCoreRank("SkylakeX"));
  EXPECT_LT(openBlasCoreRank("SkylakeX"), openBlasCoreRank("Cooperlake"));
  EXPECT_LT(openBlasCoreRank("Cooperlake"), openBlasCoreRank("SapphireRapids"));
  EXPECT_EQ(openBlasCoreRank("cooperlake"), openBlasCoreRank("Cooperlake"));  // OpenBLAS answers in lower case
  EXPECT_EQ(openBlasCoreRank("NoSuchCore"), -1);
  EXPECT_EQ(canonicalOpenBlasCore("cooperlake"), "Cooperlake");
  EXPECT_EQ(canonicalOpenBlasCore("SKYLAKEX"), "SkylakeX");
  EXPECT_EQ(canonicalOpenBlasCore("futurelake"), "futurelake");
}

TEST(BlasCoreTable, BestCoreFollowsTheInstructionSets) {
  // The machine of issue 10: a Xeon with AMX that Debian's OpenBLAS does not know.
  EXPECT_EQ(bestOpenBlasCore(avx512Cpu("GenuineIntel", true, true), debian0321), "Cooperlake");
  EXPECT_EQ(bestOpenBlasCore(avx512Cpu("GenuineIntel", true, true), everything), "SapphireRapids");
  EXPECT_EQ(bestOpenBlasCore(avx512Cpu("GenuineIntel", false, false), debian0321), "SkylakeX");
  // AMD Zen 4: AVX-512 with BF16, no AMX.
  EXPECT_EQ(bestOpenBlasCore(avx512Cpu("AuthenticAMD", true, false), debian0321), "Cooperlake");
  EXPECT_EQ(bestOpenBlasCore(avx2Cpu("AuthenticAMD"), debian0321), "Zen");
  EXPECT_EQ(bestOpenBlasCore(avx2Cpu("GenuineIntel"), debian0321), "Haswell");
  // An OpenBLAS built without Zen kernels still gets the AVX2 ones.
  EXPECT_EQ(bestOpenBlasCore(avx2Cpu("AuthenticAMD"), [](std::string_view c) { return c != "Zen"; }), "Haswell");

  CpuFeatures partial = avx2Cpu("GenuineIntel");
  partial.avx512f = true;  // F without BW/VL/DQ/CD: SkylakeX's kernels would fault
  EXPECT_EQ(bestOpenBlasCore(partial, everything), "Haswell");
  CpuFeatures avx_only;
  avx_only.sse3 = avx_only.ssse3 = avx_only.sse4_2 = avx_only.avx = true;
  EXPECT_EQ(bestOpenBlasCore(avx_only, everything), "Sandybridge");
  EXPECT_EQ(bestOpenBlasCore(CpuFeatures{}, everything), "Prescott");
}

TEST(BlasCoreDecision, RestartsOnceWhenOpenBlasFellBack) {
  BlasCoreDecision d = decideBlasCore("Prescott", "Cooperlake", nullptr, nullptr);
  EXPECT_TRUE(d.reexec);
  EXPECT_EQ(d.core, "Cooperlake");

  // After the restart, a core still too weak is reported, never retried: no loop.
  d = decideBlasCore("Prescott", "Cooperlake", "Cooperlake", "Prescott");
  EXPECT_FALSE(d.reexec);
  EXPECT_NE(d.how.find("OpenBLAS had chosen Prescott"), std::string::npos) << d.how;
  EXPECT_NE(d.warning.find("still runs Prescott"), std::string::npos) << d.warning;

  d = decideBlasCore("Cooperlake", "Cooperlake", "Cooperlake", "Prescott");
  EXPECT_FALSE(d.reexec);
  EXPECT_TRUE(d.warning.empty());
}

TEST(BlasCoreDecision, TheUsersChoiceStandsWithAWarningWhenWeak) {
  BlasCoreDecision d = decideBlasCore("Haswell", "Cooperlake", "Haswell", nullptr);
  EXPECT_FALSE(d.reexec);
  EXPECT_NE(d.how.find("set by the user"), std::string::npos);
  EXPECT_NE(d.warning.find("OPENBLAS_CORETYPE=Haswell"), std::string::npos) << d.warning;

  d = decideBlasCore("SkylakeX", "SkylakeX", "SkylakeX", nullptr);
  EXPECT_FALSE(d.reexec);
  EXPECT_TRUE(d.warning.empty());
}

TEST(BlasCoreDecision, KeepsWhatIsAlreadyAsGoodOrUnknown) {
  EXPECT_FALSE(decideBlasCore("Cooperlake", "Cooperlake", nullptr, nullptr).reexec);
  EXPECT_FALSE(decideBlasCore("Zen", "Haswell", nullptr, nullptr).reexec);  // same kernels
  EXPECT_FALSE(decideBlasCore("SkylakeX", "Haswell", nullptr, nullptr).reexec);
  EXPECT_FALSE(decideBlasCore("FutureLake", "Cooperlake", nullptr, nullptr).reexec);  // cannot judge: keep
  BlasCoreDecision none = decideBlasCore("", "", nullptr, nullptr);                   // MKL or the reference BLAS
  EXPECT_FALSE(none.reexec);
  EXPECT_TRUE(none.warning.empty());
}

std::set<std::string> procCpuinfoFlags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::set<std::string> flags;
    for (std::string w; words >> w;) flags.insert(w);
    return flags;
  }
  return {};
}

TEST(CpuFeatures, AgreeWithTheKernelsFlags) {
  const std::set<std::string> flags = procCpuinfoFlags();
  if (flags.empty()) GTEST_SKIP() << "no flags line in /proc/cpuinfo (not x86-64 Linux)";
  const CpuFeatures f = detectCpuFeatures();
  // The kernel lists a set only when it also enabled its register state, as cpu_features checks.
  const std::pair<bool, const char*> pairs[] = {
      {f.ssse3, "ssse3"},
      {f.sse4_2, "sse4_2"},
      {f.avx, "avx"},
      {f.fma, "fma"},
      {f.avx2, "avx2"},
      {f.avx512f, "avx512f"},
      {f.avx512bw, "avx512bw"},
      {f.avx512vl, "avx512vl"},
      {f.avx512dq, "avx512dq"},
      {f.avx512cd, "avx512cd"},
      {f.avx512_bf16, "avx512_bf16"},
      {f.amx_tile, "amx_tile"},
      {f.amx_bf16, "amx_bf16"},
  };
  for (const auto& [have, name] : pairs) EXPECT_EQ(have, flags.count(name) == 1) << name;
  EXPECT_EQ(f.sse3, flags.count("pni") == 1);  // SSE3's name in /proc/cpuinfo
  EXPECT_FALSE(f.vendor.empty());
}

}  // namespace
}  // namespace temper
