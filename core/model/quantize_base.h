#pragma once
/// QLoRA's frozen base: every projection a PEFT method may adapt (CausalLmImpl::adaptableLinears)
/// stored quantised (core/quant), the embeddings, norms and head left as they are.
#include <cstdint>

#include "core/model/causal_lm.h"
#include "core/quant/quantized_weight.h"

namespace temper {

/// Quantises the projections of `model` in place (nothing for QuantKind::None), releasing their
/// full-precision weights and handing freed heap pages back to the system; returns the bytes the
/// quantised weights take. Call it after moving the
/// model to its device.
int64_t quantizeProjections(CausalLmImpl& model, const QuantOptions& options);

}  // namespace temper
