# Every dependency is a Debian package (see README.md and scripts/install-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 2.1 REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
# PCRE2 runs the pre-tokenizer regexes of byte-level BPE tokenizers (tokenizer.json) as written.
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
find_library(SENTENCEPIECE_TRAIN_LIBRARY NAMES sentencepiece_train REQUIRED)

# Debian's LibTorch 1.13 (CPU), or LibTorch 2.x with CUDA from the pinned PyPI wheel
# (make cuda-engine; docs/gpu-engine.md): the same find_package, pointed there by CMAKE_PREFIX_PATH.
# A CUDA LibTorch's config compiles and runs a probe for the local GPU's architecture unless
# TORCH_CUDA_ARCH_LIST is set, and the probe fails on a machine without a GPU. Temper compiles no CUDA
# code of its own, so the list only has to be valid.
if(NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  set(TORCH_CUDA_ARCH_LIST "8.0;9.0")
endif()
find_package(Torch REQUIRED)
message(STATUS "LibTorch ${Torch_VERSION} from ${Torch_DIR}")
# TorchConfig finds its c10 with find_library(... PATHS <its own lib folder>), which searches the
# system folders first: on a machine that also has Debian's libtorch-dev, the wheel's build would link
# Debian's libc10.so.1.13 as well and abort at start (two c10 dispatchers). Take the one beside it.
if(c10_LIBRARY AND EXISTS "${TORCH_INSTALL_PREFIX}/lib/libc10.so"
   AND NOT c10_LIBRARY STREQUAL "${TORCH_INSTALL_PREFIX}/lib/libc10.so")
  list(TRANSFORM TORCH_LIBRARIES REPLACE "^${c10_LIBRARY}$" "${TORCH_INSTALL_PREFIX}/lib/libc10.so")
  set(c10_LIBRARY "${TORCH_INSTALL_PREFIX}/lib/libc10.so" CACHE FILEPATH "LibTorch's c10" FORCE)
endif()
# Where LibTorch's shared libraries are when they are not in a system folder (the wheel's torch/lib).
# Targets that set their RPATH by hand (the engine, benchmarks) add it.
set(TEMPER_TORCH_LIBRARY_DIR "")
if(NOT TORCH_INSTALL_PREFIX MATCHES "^/usr/?$")
  set(TEMPER_TORCH_LIBRARY_DIR "${TORCH_INSTALL_PREFIX}/lib")
endif()
if(TARGET torch_cuda)
  # The wheel's libtorch_cuda finds its CUDA libraries (cudart, cuBLAS, cuDNN, NCCL 13.2) beside it
  # through its own RPATH. The linker must see the same ones, not the older toolkit's in
  # /usr/local/cuda (NCCL 2.2x lacks symbols libtorch_cuda needs), and our executables must not pull
  # the toolkit's libcudart in ahead of them: they call no CUDA function themselves, so --as-needed
  # drops it (LibTorch's own libraries are wrapped in --no-as-needed by its config).
  file(GLOB _temper_wheel_cuda_dirs LIST_DIRECTORIES true "${TORCH_INSTALL_PREFIX}/../nvidia/*/lib")
  foreach(_dir IN LISTS _temper_wheel_cuda_dirs)
    string(APPEND CMAKE_EXE_LINKER_FLAGS " -Wl,-rpath-link,${_dir}")
    string(APPEND CMAKE_SHARED_LINKER_FLAGS " -Wl,-rpath-link,${_dir}")
  endforeach()
  string(APPEND CMAKE_EXE_LINKER_FLAGS " -Wl,--as-needed")
  string(APPEND CMAKE_SHARED_LINKER_FLAGS " -Wl,--as-needed")
endif()
# Kernels of our own use OpenMP (at::parallel_for is pragmas in LibTorch's headers). One process must
# have one OpenMP runtime: the wheel bundles its own libgomp, which then serves our code too.
find_package(OpenMP REQUIRED COMPONENTS CXX)
set(TEMPER_OPENMP_LIBRARIES ${OpenMP_CXX_LIBRARIES})
if(EXISTS "${TORCH_INSTALL_PREFIX}/lib/libgomp.so.1")
  set(TEMPER_OPENMP_LIBRARIES "${TORCH_INSTALL_PREFIX}/lib/libgomp.so.1" Threads::Threads)
endif()
# TorchConfig appends its own flags (e.g. -D_GLIBCXX_USE_CXX11_ABI) to CMAKE_CXX_FLAGS; keep them.
set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} ${TORCH_CXX_FLAGS}")

if(TEMPER_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(TEMPER_BUILD_STUDIO)
  find_package(Qt6 6.4 COMPONENTS Core Gui Widgets Sql Test PrintSupport Concurrent)
  find_package(QCustomPlotQt6 QUIET)
  if(NOT Qt6_FOUND OR NOT QCustomPlotQt6_FOUND)
    message(STATUS "Qt 6 or QCustomPlot (Qt 6 build) not found: the studio is not built")
    set(TEMPER_BUILD_STUDIO OFF)
  endif()
endif()
