#include "core/engine/allocator_tuning.h"

#include <cstdlib>

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

}  // namespace temper
