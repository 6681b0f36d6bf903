// Text helpers the command groups share.
#include <ctime>

#include "app/cli.h"

namespace temper::cli {

std::string localTimeText(double unix_s, bool with_seconds) {
  if (unix_s <= 0) return "-";
  const std::time_t t = static_cast<std::time_t>(unix_s);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, with_seconds ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M", std::localtime(&t));
  return buffer;
}

}  // namespace temper::cli
