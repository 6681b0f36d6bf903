#include "core/model/quantize_base.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace temper {

int64_t quantizeProjections(CausalLmImpl& model, const QuantOptions& options) {
  if (options.kind == QuantKind::None) return 0;
  int64_t bytes = 0;
  for (NamedLinear& linear : model.adaptableLinears()) {
    linear.layer->quantize(options);
    bytes += linear.layer->quantizedWeight()->bytes();
  }
#if defined(__GLIBC__)
  // glibc keeps freed blocks under its mmap threshold (which grows to 32 MiB as large blocks come
  // and go) in the heap: a 2048 x 2048 fp32 projection (16 MiB) freed by quantize() stayed resident,
  // 0.9 GB of a 1.1B Llama's. malloc_trim returns those pages, so the steps' RSS is what they use.
  malloc_trim(0);
#endif
  return bytes;
}

}  // namespace temper
