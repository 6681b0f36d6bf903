#pragma once
/// SplitMix64 (Steele, Lea, Flood 2014) as a counter-based hash: the n-th random number is a pure
/// function of (seed, n), so any position can be reached without replaying the ones before it and
/// the results are the same on every platform and standard library (std::shuffle's are not).
#include <cstdint>

namespace temper {

constexpr uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// A well-mixed value for the pair (seed, counter).
constexpr uint64_t counterHash(uint64_t seed, uint64_t counter) { return splitmix64(splitmix64(seed) ^ counter); }

/// Maps a 64-bit hash onto [0, bound) (Lemire's multiply-shift; bias below 2^-64 * bound).
inline uint64_t boundedFromHash(uint64_t hash, uint64_t bound) {
  __extension__ using Wide = unsigned __int128;  // GCC/Clang; __extension__ keeps -Wpedantic quiet
  return static_cast<uint64_t>((static_cast<Wide>(hash) * bound) >> 64);
}

}  // namespace temper
