#include "core/engine/runtime.h"

#include <dlfcn.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <fstream>
#include <thread>

#include "core/common/error.h"

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
  return Json{{"blas", blas}, {"blas_is_fast", blas_is_fast}, {"torch_threads", torch_threads},
              {"blas_threads", blas_threads}, {"cores", cores}, {"device", device},
              {"torch_version", torch_version}, {"thread_policy", thread_policy}};
}

std::string RuntimeInfo::summary() const {
  return "device " + device + ", LibTorch " + torch_version + ", " + std::to_string(torch_threads) +
         " torch thread(s), BLAS: " + blas + " with " + std::to_string(blas_threads) + " thread(s)";
}

RuntimeInfo configureRuntime(int64_t requested_threads, const std::string& device) {
  RuntimeInfo info;
  info.torch_version = TORCH_VERSION;
  info.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  if (device == "cuda" && !torch::cuda::is_available()) {
    throwConfigError("`device` is cuda, but this LibTorch build has no CUDA device available; use cpu or auto");
  }
  info.device = (device == "cuda" || (device == "auto" && torch::cuda::is_available())) ? "cuda" : "cpu";

  auto get_config = blasSymbol<GetConfigFn>("openblas_get_config");
  auto set_threads = blasSymbol<SetThreadsFn>("openblas_set_num_threads");
  auto get_threads = blasSymbol<GetThreadsFn>("openblas_get_num_threads");
  if (get_config != nullptr) {
    info.blas = get_config();
    info.blas_is_fast = true;
  } else {
    std::string path = loadedBlasPath();
    info.blas = "reference BLAS" + (path.empty() ? std::string() : " (" + path + ")") +
                " - about 30x slower; install libopenblas0-pthread";
  }

  if (requested_threads > 0) {
    info.torch_threads = static_cast<int>(requested_threads);
    info.thread_policy = "threads set by the user";
    if (set_threads) set_threads(static_cast<int>(requested_threads));
  } else {
    // Measured on 2-core machines (docs/threads.md): OpenBLAS's pthreads use every core for the
    // matrix products; LibTorch's pool also taking every core makes the two spin against each
    // other, so by default the element-wise pool gets every core only when BLAS is not OpenBLAS.
    info.torch_threads = info.blas_is_fast ? 1 : info.cores;
    info.thread_policy = info.blas_is_fast ? "default: OpenBLAS on all cores, LibTorch element-wise on 1"
                                           : "default: LibTorch on all cores";
    if (set_threads) set_threads(info.cores);
  }
  torch::set_num_threads(info.torch_threads);
  info.blas_threads = get_threads ? get_threads() : 0;
  return info;
}

}  // namespace temper
