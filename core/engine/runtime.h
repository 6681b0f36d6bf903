#pragma once
/// The numeric runtime the engine runs on: which BLAS LibTorch got, how many threads each pool
/// uses, and the device. Thread settings are chosen on purpose (docs/threads.md): on a CPU,
/// LibTorch's OpenMP pool and OpenBLAS's own pthreads otherwise fight for the same cores.
#include <string>

#include "core/common/json_io.h"

namespace temper {

struct RuntimeInfo {
  std::string blas;  ///< e.g. "OpenBLAS 0.3.21 ... Haswell" or "reference BLAS (slow)"
  bool blas_is_fast = false;
  int torch_threads = 1;  ///< LibTorch intra-op threads (element-wise kernels, non-BLAS ops)
  int blas_threads = 1;   ///< OpenBLAS threads (matrix products); 0 when unknown
  int cores = 1;          ///< std::thread::hardware_concurrency()
  std::string device = "cpu";
  std::string torch_version;
  std::string cuda_build;     ///< CUDA version of a CUDA LibTorch ("13.2"), empty for a CPU-only build
  std::string thread_policy;  ///< how the numbers above were chosen, in words
  Json cpu;                   ///< CpuFeatures::toJson(): vendor, model, instruction sets
  Json blas_core;             ///< BlasKernelReport::toJson(): OpenBLAS's core, the best one, how, warning
  std::string blas_warning;   ///< non-empty when OpenBLAS runs weaker kernels than this CPU allows

  Json toJson() const;
  std::string summary() const;  ///< one line for people
};

/// Applies the thread policy: `requested_threads` 0 lets the engine choose; N > 0 gives N to
/// LibTorch and to OpenBLAS. Resolves `device` (auto, cpu, cuda); cuda without a CUDA build of
/// LibTorch is an Error(InvalidConfig) saying so.
RuntimeInfo configureRuntime(int64_t requested_threads, const std::string& device);

}  // namespace temper
