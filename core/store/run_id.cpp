#include "core/store/run_id.h"

#include <cstdio>
#include <ctime>
#include <random>

namespace temper {

std::string formatRunId(std::chrono::system_clock::time_point when, uint16_t random_suffix) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &utc);
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "-%04x", static_cast<unsigned>(random_suffix));
  return std::string(text) + suffix;
}

std::string newRunId() {
  // Per thread, seeded from the OS: two processes starting runs in the same second must not draw
  // the same sequence.
  thread_local std::mt19937 generator{std::random_device{}()};
  std::uniform_int_distribution<unsigned> digits(0, 0xffff);
  return formatRunId(std::chrono::system_clock::now(), static_cast<uint16_t>(digits(generator)));
}

double nowUnixSeconds() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(since_epoch).count();
}

}  // namespace temper
