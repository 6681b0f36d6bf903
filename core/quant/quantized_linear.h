#pragma once
/// x Wᵀ + b for a frozen, quantised W (QLoRA's base layers) that keeps at most one layer (or one
/// chunk of a wide layer's rows) at full precision at a time: the forward pass dequantises W,
/// multiplies and drops it; the backward pass dequantises it again for grad_x = grad_y W. W gets no gradient (it is
/// frozen); autograd keeps nothing of this product but a reference to the quantised weight.
#include "core/torch_api.h"

#include <memory>

#include "core/quant/quantized_weight.h"

namespace temper {

/// x (..., in) times the dequantised weight (out, in)ᵀ, plus `bias` (out; may be undefined) ->
/// (..., out). The weight is dequantised in x's dtype, or in the autocast dtype where autocast is on
/// for x's device (what the product would be cast to anyway). A bias that requires a gradient (LoRA's
/// `bias` option trains biases in place) is added outside the custom node and gets its gradient
/// from ordinary autograd; a frozen bias is folded into the product. x may or may not require grad.
/// A weight of more than kRowChunkValues values is dequantised `chunk_rows` rows at a time (0: as
/// many rows as make kRowChunkValues, row_chunked_linear.h), forward and backward, so the full-
/// precision transient of a wide projection is one chunk, not the layer (a 1B Llama's MLP
/// projections are 46 MB each in fp32).
torch::Tensor quantizedLinear(const torch::Tensor& x, std::shared_ptr<const QuantizedWeight> weight,
                              const torch::Tensor& bias, int64_t chunk_rows = 0);

}  // namespace temper
