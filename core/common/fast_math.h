#pragma once
/// Branch-free float exp for element-wise kernels the compiler can vectorise (the loops that use it
/// are compiled for AVX-512, AVX2 and baseline x86-64 with `TEMPER_VECTOR_CLONES`). Range
/// reduction x = n·ln2 + r and a degree-6 polynomial for e^r (the classic single-precision
/// expansion): relative error below 2e-7 over the float range, which is below what fp32 training
/// can notice. Inputs below -87.3 flush to ~0, above 88.3 saturate (still finite).
#include <bit>
#include <cmath>
#include <cstdint>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define TEMPER_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TEMPER_VECTOR_CLONES
#endif

namespace temper::kernels {

inline float fastExp(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2High = 0.693359375f;
  constexpr float kLn2Low = -2.12194440e-4f;
  constexpr float kRoundMagic = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to nearest
  x = x < -87.3f ? -87.3f : (x > 88.3f ? 88.3f : x);
  float n = (x * kLog2e + kRoundMagic) - kRoundMagic;
  float r = x - n * kLn2High - n * kLn2Low;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float e_r = p * r * r + r + 1.0f;
  auto two_to_n = std::bit_cast<float>(static_cast<int32_t>(n + 127.0f) << 23);
  return e_r * two_to_n;
}

}  // namespace temper::kernels
