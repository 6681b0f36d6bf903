#include "core/quant/dequantize_kernel.h"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include "core/common/bf16_bits.h"

namespace temper {
namespace {

constexpr int64_t kBlock = QuantizedWeight::kBlock;
constexpr int64_t kGrainBlocks = 1024;  // 64 Ki values per parallel task

inline void put(float* out, float v) { *out = v; }
inline void put(uint16_t* out, float v) { *out = floatToBf16(v); }

template <class Out>
void blocksScalar(QuantKind kind, const uint8_t* codes, const float* scales, int64_t first, int64_t last, Out* out) {
  const auto& levels = nf4CodeTable();
  for (int64_t b = first; b < last; ++b) {
    const float s = scales[b];
    Out* o = out + b * kBlock;
    if (kind == QuantKind::Nf4) {
      const uint8_t* c = codes + b * (kBlock / 2);
      for (int64_t i = 0; i < kBlock / 2; ++i) {
        put(o + 2 * i, levels[c[i] >> 4] * s);
        put(o + 2 * i + 1, levels[c[i] & 0x0F] * s);
      }
    } else {
      const auto* c = reinterpret_cast<const int8_t*>(codes) + b * kBlock;
      for (int64_t i = 0; i < kBlock; ++i) put(o + i, static_cast<float>(c[i]) * s);
    }
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define TEMPER_AVX512 __attribute__((target("avx512f")))

TEMPER_AVX512 inline void store16(float* out, __m512 v) { _mm512_storeu_ps(out, v); }

// Round to nearest, ties to even, as floatToBf16 (a NaN becomes the quiet 0x7FC0).
TEMPER_AVX512 inline void store16(uint16_t* out, __m512 v) {
  const __m512i bits = _mm512_castps_si512(v);
  const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
  __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(bits, _mm512_set1_epi32(0x7FFF)), odd), 16);
  rounded = _mm512_mask_mov_epi32(rounded, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), _mm512_set1_epi32(0x7FC0));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm512_cvtepi32_epi16(rounded));
}

template <class Out>
TEMPER_AVX512 void blocksAvx512(QuantKind kind, const uint8_t* codes, const float* scales, int64_t first, int64_t last,
                                Out* out) {
  if (kind == QuantKind::Nf4) {
    const __m512 table = _mm512_loadu_ps(nf4CodeTable().data());
    // 16 bytes widened to 16 lanes; each byte's lane repeated twice (its two values), shifted by 4
    // for the high nibble (the first value) and by 0 for the low one.
    const __m512i first_half = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    const __m512i second_half = _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
    const __m512i shifts = _mm512_setr_epi32(4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0);
    const __m512i nibble = _mm512_set1_epi32(0x0F);
    for (int64_t b = first; b < last; ++b) {
      const __m512 s = _mm512_set1_ps(scales[b]);
      const uint8_t* c = codes + b * (kBlock / 2);
      Out* o = out + b * kBlock;
      for (int64_t half = 0; half < 2; ++half) {
        const __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c + 16 * half)));
        const __m512i codes_a =
            _mm512_and_si512(_mm512_srlv_epi32(_mm512_permutexvar_epi32(first_half, bytes), shifts), nibble);
        const __m512i codes_b =
            _mm512_and_si512(_mm512_srlv_epi32(_mm512_permutexvar_epi32(second_half, bytes), shifts), nibble);
        store16(o + 32 * half, _mm512_mul_ps(_mm512_permutexvar_ps(codes_a, table), s));
        store16(o + 32 * half + 16, _mm512_mul_ps(_mm512_permutexvar_ps(codes_b, table), s));
      }
    }
    return;
  }
  for (int64_t b = first; b < last; ++b) {
    const __m512 s = _mm512_set1_ps(scales[b]);
    const uint8_t* c = codes + b * kBlock;
    Out* o = out + b * kBlock;
    for (int64_t i = 0; i < kBlock; i += 16) {
      const __m512i wide = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c + i)));
      store16(o + i, _mm512_mul_ps(_mm512_cvtepi32_ps(wide), s));
    }
  }
}

bool hasAvx512() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}
#endif

template <class Out>
void dequantize(QuantKind kind, const uint8_t* codes, const float* scales, int64_t blocks, Out* out, bool simd) {
  at::parallel_for(0, blocks, kGrainBlocks, [&](int64_t first, int64_t last) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (simd && hasAvx512()) return blocksAvx512(kind, codes, scales, first, last, out);
#endif
    blocksScalar(kind, codes, scales, first, last, out);
  });
}

}  // namespace

void dequantizeBlocksCpu(QuantKind kind, const uint8_t* codes, const float* scales, int64_t blocks, float* out,
                         bool simd) {
  dequantize(kind, codes, scales, blocks, out, simd);
}

void dequantizeBlocksCpu(QuantKind kind, const uint8_t* codes, const float* scales, int64_t blocks, uint16_t* out_bf16,
                         bool simd) {
  dequantize(kind, codes, scales, blocks, out_bf16, simd);
}

}  // namespace temper
