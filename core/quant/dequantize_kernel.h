#pragma once
/// CPU dequantisation of quantised blocks (quantized_weight.h) straight into their fp32 or bf16
/// output: no index or level temporaries. QLoRA dequantises every projection twice per step, and
/// LibTorch's index_select + mul made 6 bytes of temporaries per value (the int32 indices and the
/// looked-up levels), which a memory-first allocator maps and zeroes afresh every time. On AVX-512
/// the NF4 table lookup is one vpermps per 16 values (the 16 levels fit one register).
#include <cstdint>

#include "core/quant/quantized_weight.h"

namespace temper {

/// Blocks [0, blocks) of 64 values each: `codes` as QuantizedWeight::codes() holds them (nf4: 32
/// bytes a block, first value in the high nibble; int8: 64), `scales` one multiplier per block (nf4:
/// the absmax; int8: absmax / 127), `out` blocks · 64 values. Each value is the fp32 product level ·
/// scale, rounded to bf16 (nearest, ties to even) for the bf16 form: what LibTorch's mul into a
/// tensor of that dtype gives, bit for bit. Runs over at::parallel_for. `simd` false: the portable
/// loop even where AVX-512 is there (the tests compare the two).
void dequantizeBlocksCpu(QuantKind kind, const uint8_t* codes, const float* scales, int64_t blocks, float* out,
                         bool simd = true);
void dequantizeBlocksCpu(QuantKind kind, const uint8_t* codes, const float* scales, int64_t blocks, uint16_t* out_bf16,
                         bool simd = true);

}  // namespace temper
