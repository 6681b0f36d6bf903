#pragma once
/// How many rows of a frozen head's logits the chunked loss makes at once
/// (kernels::frozenHeadCrossEntropy); torch-free, so the memory estimate counts the same chunk.
#include <algorithm>
#include <cstdint>

namespace temper::kernels {

/// Logit values per chunk: 16 Mi (32 MiB in bf16) whatever the vocabulary.
constexpr int64_t kLossChunkValues = int64_t{1} << 24;

/// Rows per chunk at vocabulary `vocab`: 333 at GPT-2's 50257, 512 at Llama's 32000.
inline int64_t lossChunkRows(int64_t vocab) {
  return std::max<int64_t>(1, kLossChunkValues / std::max<int64_t>(1, vocab));
}

}  // namespace temper::kernels
