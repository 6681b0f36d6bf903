#include "core/engine/runtime.h"

#include <dlfcn.h>
#include "core/torch_api.h"

#include <fstream>
#include <thread>

#include "core/common/cpu_features.h"
#include "core/common/error.h"
#include "core/engine/blas_kernel_choice.h"
#include "core/torch_compat/torch_compat.h"

namespace temper {
namespace {

using GetConfigFn = char* (*)();
using GetThreadsFn = int (*)();
using SetThreadsFn = void (*)(int);

// OpenBLAS exports these; the reference BLAS does not. Looked up at run time because which
// libblas.so.3 LibTorch gets is decided by Debian's alternatives, not by our link line.
template <typename Fn>
Fn blasSymbol(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

std::string loadedBlasPath() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    auto pos = line.find('/');
    if (pos == std::string::npos) continue;
    std::string path = line.substr(pos);
    if (path.find("libblas") != std::string::npos || path.find("libopenblas") != std::string::npos) return path;
  }
  return "";
}

}  // namespace

Json RuntimeInfo::toJson() const {
  return Json{{"blas", blas},
              {"blas_is_fast", blas_is_fast},
              {"torch_threads", torch_threads},
              {"blas_threads", blas_threads},
              {"cores", cores},
              {"device", device},
              {"torch_version", torch_version},
              {"cuda_build", cuda_build.empty() ? Json(nullptr) : Json(cuda_build)},
              {"thread_policy", thread_policy},
              {"cpu", cpu},
              {"blas_core", blas_core}};
}

std::string RuntimeInfo::summary() const {
  return "device " + device + ", LibTorch " + torch_version + (cuda_build.empty() ? "" : " (CUDA " + cuda_build + ")") +
         ", " + std::to_string(torch_threads) + " torch thread(s), BLAS: " + blas + " with " +
         std::to_string(blas_threads) + " thread(s)" + (blas_warning.empty() ? "" : " (warning: " + blas_warning + ")");
}

RuntimeInfo configureRuntime(int64_t requested_threads, const std::string& device) {
  RuntimeInfo info;
  info.torch_version = compat::torchVersion();
  info.cuda_build = compat::cudaBuildVersion();
  info.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  if (device == "cuda" && !torch::cuda::is_available()) {
    throwConfigError("`device` is cuda, but this LibTorch build has no CUDA device available; use cpu or auto");
  }
  info.device = (device == "cuda" || (device == "auto" && torch::cuda::is_available())) ? "cuda" : "cpu";

  auto get_config = blasSymbol<GetConfigFn>("openblas_get_config");
  auto set_threads = blasSymbol<SetThreadsFn>("openblas_set_num_threads");
  auto get_threads = blasSymbol<GetThreadsFn>("openblas_get_num_threads");
  // LibTorch from the PyPI wheel carries MKL inside libtorch_cpu, threaded by LibTorch's own OpenMP pool.
  const bool blas_is_mkl = get_config == nullptr && at::hasMKL();
  info.cpu = cpuFeatures().toJson();
  const BlasKernelReport& core = blasKernelReport();
  info.blas_core = core.toJson();
  info.blas_warning = core.warning;
  if (get_config != nullptr) {
    info.blas = get_config();
    info.blas_is_fast = true;
  } else if (blas_is_mkl) {
    info.blas = "MKL (inside LibTorch)";
    info.blas_is_fast = true;
  } else {
    info.blas = "reference BLAS - about 30x slower; install libopenblas0-openmp or libopenblas0-pthread";
  }

  const std::string blas_path = loadedBlasPath();
  const bool blas_uses_openmp = blas_path.find("openblas-openmp") != std::string::npos;
  if (!blas_path.empty()) info.blas += " [" + blas_path + "]";
  if (requested_threads > 0) {
    info.torch_threads = static_cast<int>(requested_threads);
    info.thread_policy = "threads set by the user";
    if (set_threads) set_threads(static_cast<int>(requested_threads));
  } else if (blas_uses_openmp || blas_is_mkl || !info.blas_is_fast) {
    // One OpenMP pool serves LibTorch and BLAS: every core for both, no oversubscription.
    info.torch_threads = info.cores;
    info.thread_policy = blas_uses_openmp ? "default: OpenBLAS (OpenMP build) and LibTorch share all cores"
                         : blas_is_mkl    ? "default: MKL and LibTorch share all cores (one OpenMP pool)"
                                          : "default: LibTorch on all cores";
    if (set_threads) set_threads(info.cores);
  } else {
    // OpenBLAS's pthread build keeps its own spinning threads: measured on 2 cores (docs/threads.md),
    // LibTorch's pool on every core as well runs ~25% slower than LibTorch on one thread.
    info.torch_threads = 1;
    info.thread_policy = "default: OpenBLAS (pthread build) on all cores, LibTorch element-wise on 1";
    if (set_threads) set_threads(info.cores);
  }
  torch::set_num_threads(info.torch_threads);
  info.blas_threads = get_threads ? get_threads() : 0;
  return info;
}

}  // namespace temper
