#pragma once
/// Does bf16 pay on this CPU at this model's shapes? `precision auto` asks before a CPU run. A
/// processor with AMX or AVX512_BF16 multiplies bf16 in hardware through oneDNN, but how much faster
/// than OpenBLAS's fp32 sgemm depends on the chip (AMX: ~5x; AVX512_BF16 on AMD Zen 4: ~2x) and on
/// the shapes (small products are bound by the casts and the call, not the multiply). So the engine
/// measures: the product of a (rows × in) activation with an (out × in) weight, fp32 against bf16,
/// a few milliseconds; the answer is kept per machine and shape in the workspace
/// (`cache/bf16-probe.json`), so a machine is measured once per shape.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/engine/runtime.h"

namespace temper {

struct Bf16ProbeShape {
  int64_t rows = 0;  ///< tokens per micro-batch (capped at kProbeRows: the per-row cost is flat beyond)
  int64_t in = 0;    ///< hidden size
  int64_t out = 0;   ///< MLP width
};

struct Bf16ProbeResult {
  double fp32_gflops = 0;
  double bf16_gflops = 0;
  bool cached = false;
  double speedup() const { return fp32_gflops > 0 ? bf16_gflops / fp32_gflops : 0; }
};

/// bf16 must beat fp32 products by this factor: the rest of a step (casts, element-wise kernels on
/// widened activations) gets no faster, so a marginal gain in products is a loss overall.
inline constexpr double kBf16MinSpeedup = 1.3;
inline constexpr int64_t kProbeRows = 512;

/// Measures (or reads from `cache_file`; empty: no cache) the two speeds at `shape`.
Bf16ProbeResult probeBf16(const Bf16ProbeShape& shape, const RuntimeInfo& runtime,
                          const std::filesystem::path& cache_file);

/// Whether bf16 autocast pays here: probeBf16 against kBf16MinSpeedup, with the figures in `why`.
bool bf16PaysAtShape(const Bf16ProbeShape& shape, const RuntimeInfo& runtime, const std::filesystem::path& cache_file,
                     std::string& why);

}  // namespace temper
