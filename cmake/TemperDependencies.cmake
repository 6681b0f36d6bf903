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

# Debian's LibTorch 1.13 (CPU). An official CUDA LibTorch works the same way: -DTorch_DIR=...
find_package(Torch REQUIRED)
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
