#pragma once
/// Run ids and the store's clock. Run ids sort by creation time and are short enough to type:
/// "20261127-084512-a3f9" = UTC date, UTC time, 4 random hex digits (the store retries on the rare
/// clash within one second). Thread-safe.
#include <chrono>
#include <cstdint>
#include <string>

namespace temper {

std::string formatRunId(std::chrono::system_clock::time_point when, uint16_t random_suffix);
/// formatRunId(now, a random suffix).
std::string newRunId();
/// Unix seconds with sub-second precision: the unit of every *_at column.
double nowUnixSeconds();

}  // namespace temper
