#include "core/engine/allocator_tuning.h"

#include <cstdlib>
#include <initializer_list>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace temper {

void tuneAllocatorForTraining() {
#if defined(__GLIBC__)
  if (std::getenv("TEMPER_ALLOCATOR_DEFAULTS") != nullptr) return;  // to measure against glibc's defaults
  constexpr int kMmapThreshold = 32 * 1024 * 1024;                  // glibc's maximum on 64-bit
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, 1 << 30);
  if (std::getenv("MALLOC_TOP_PAD_") == nullptr) mallopt(M_TOP_PAD, 64 * 1024 * 1024);
#endif
}

const char* tuneAllocatorForMemory() {
#if defined(__GLIBC__)
  if (std::getenv("TEMPER_ALLOCATOR_DEFAULTS") != nullptr) return "glibc's defaults (TEMPER_ALLOCATOR_DEFAULTS)";
  constexpr int kMmapThreshold = 1024 * 1024;
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  // glibc's own rule for a fixed threshold (trim at twice it) and its default top pad.
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, 2 * kMmapThreshold);
  if (std::getenv("MALLOC_TOP_PAD_") == nullptr) mallopt(M_TOP_PAD, 128 * 1024);
  malloc_trim(0);  // what the reuse-first policy kept so far
  for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"}) {
    if (std::getenv(name) != nullptr) return "memory-first (quantised base), MALLOC_* settings from the environment";
  }
  return "memory-first (quantised base)";
#else
  return "the C library's";
#endif
}

}  // namespace temper
