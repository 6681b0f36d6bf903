#include "core/protocol/event_writer.h"

namespace temper {

void EventWriter::emit(const Json& event) {
  if (out_ == nullptr) return;
  // Replace invalid UTF-8 (e.g. a sample cut inside a multi-byte character) instead of throwing.
  std::string line = event.dump(-1, ' ', false, Json::error_handler_t::replace);
  line.push_back('\n');
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace temper
