#pragma once
/// bfloat16 <-> float on the raw 16-bit pattern, for kernels that read and write bf16 tensors while
/// computing in float. bf16 is the upper half of an IEEE float, so widening is a shift; narrowing
/// rounds to nearest, ties to even, as LibTorch's casts do (bit for bit on every number; a NaN stays
/// a NaN, the quiet 0x7FC0, where LibTorch's vectorised cast writes 0xFFFF).
/// Plain integer operations, so the compiler vectorises loops that use them.
#include <cstdint>
#include <cstring>

namespace temper {

inline float bf16ToFloat(uint16_t bits) {
  const uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline uint16_t floatToBf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  const bool nan = (u & 0x7fffffffu) > 0x7f800000u;
  return static_cast<uint16_t>(nan ? 0x7fc0u : rounded);
}

}  // namespace temper
