#pragma once
/// What the processor can do, read with cpuid and xgetbv: the instruction sets that decide which
/// matrix-product kernels are fast here (OpenBLAS's core, docs/cpu-speed.md) and whether bf16
/// products are worth it (AVX512_BF16, AMX). An instruction set counts only when the operating
/// system also saves its registers (XCR0), as the kernels that use it check.
#include <string>
#include <vector>

#include "core/common/json_io.h"

namespace temper {

struct CpuFeatures {
  std::string vendor;      ///< "GenuineIntel", "AuthenticAMD"; empty off x86-64
  std::string model_name;  ///< the brand string (some cloud CPUs report only "Intel Xeon Processor")
  int family = 0;          ///< display family and model, as /proc/cpuinfo gives them
  int model = 0;
  bool sse3 = false, ssse3 = false, sse4_2 = false;
  bool avx = false, fma = false, avx2 = false;
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false, avx512cd = false;
  bool avx512_bf16 = false;
  bool amx_tile = false, amx_bf16 = false;

  bool hasAvx512() const { return avx512f && avx512bw && avx512vl && avx512dq && avx512cd; }
  /// Hardware bf16 products: AMX tiles or AVX512_BF16's dot products.
  bool hasFastBf16() const { return amx_bf16 || avx512_bf16; }
  /// The usable sets by name, oldest first ("avx2", "avx512f", ..., "amx_bf16").
  std::vector<std::string> names() const;
  Json toJson() const;
};

/// This machine's processor (read once; cheap after).
const CpuFeatures& cpuFeatures();

/// Reads cpuid; exposed for the one test that compares it with /proc/cpuinfo.
CpuFeatures detectCpuFeatures();

}  // namespace temper
