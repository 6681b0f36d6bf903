#pragma once
/// Writes events as JSON lines to a FILE* (stdout), one complete line per write, flushed, so a
/// reader never sees half an event. Thread-safe: the signal-driven stop and the loop may both emit.
#include <cstdio>
#include <mutex>

#include "core/common/json_io.h"

namespace temper {

class EventWriter {
 public:
  /// `out` may be null: events are then dropped (human output only).
  explicit EventWriter(std::FILE* out) : out_(out) {}
  bool enabled() const { return out_ != nullptr; }
  void emit(const Json& event);

 private:
  std::FILE* out_;
  std::mutex mutex_;
};

}  // namespace temper
