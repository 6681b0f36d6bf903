#pragma once
/// x Wᵀ for a frozen W stored at lower precision than x (QLoRA keeps the token embedding and the
/// output head in bf16, CausalLmImpl::storeFrozenTables): W is widened a chunk of rows at a time, so
/// a (vocabulary × hidden) head never exists at full precision, neither in the forward pass nor in
/// the backward pass, which widens the chunks again for grad_x = grad_y W. W gets no gradient;
/// autograd keeps nothing of the product but a reference to W.
#include "core/torch_api.h"

namespace temper {

/// Rows of W widened at once by default: 4 Mi values (16 MiB in fp32) whatever the width.
constexpr int64_t kRowChunkValues = int64_t{1} << 22;

/// x (..., in) times weight (out, in)ᵀ -> (..., out), in x's dtype (or the autocast dtype where
/// autocast is on for x's device), with `chunk_rows` rows of the weight widened at a time (0:
/// kRowChunkValues / in). x may or may not require grad; the weight must not.
torch::Tensor frozenLinearInRowChunks(const torch::Tensor& x, const torch::Tensor& weight, int64_t chunk_rows = 0);

}  // namespace temper
