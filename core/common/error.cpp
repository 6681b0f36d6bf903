#include "core/common/error.h"

#include <cerrno>
#include <cstring>

namespace temper {

int exitCodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Internal:
      return 1;
    case ErrorKind::InvalidConfig:
      return 2;
    case ErrorKind::InvalidInput:
      return 3;
    case ErrorKind::Io:
      return 4;
    case ErrorKind::Busy:
      return 5;
    case ErrorKind::TrainingFailed:
      return 6;
  }
  return 1;
}

const char* errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Internal:
      return "internal";
    case ErrorKind::InvalidConfig:
      return "invalid_config";
    case ErrorKind::InvalidInput:
      return "invalid_input";
    case ErrorKind::Io:
      return "io";
    case ErrorKind::Busy:
      return "busy";
    case ErrorKind::TrainingFailed:
      return "training_failed";
  }
  return "internal";
}

void throwConfigError(const std::string& message) { throw Error(ErrorKind::InvalidConfig, message); }
void throwInputError(const std::string& message) { throw Error(ErrorKind::InvalidInput, message); }
void throwIoError(const std::string& message) { throw Error(ErrorKind::Io, message); }

std::string describeErrno(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace temper
