#pragma once
/// Typed errors of the engine. Every failure a person can cause (a bad file, a bad value, a busy
/// workspace) is an `Error` with a message that names the file, line or field and what would be
/// valid; the CLI maps the category to the process exit code (docs/cli.md).
#include <stdexcept>
#include <string>

namespace temper {

enum class ErrorKind {
  Internal,       ///< a bug or an unexpected library failure            exit 1
  InvalidConfig,  ///< a bad command-line flag or config value            exit 2
  InvalidInput,   ///< a bad or unusable input file (corpus, model, ...)  exit 3
  Io,             ///< reading or writing failed (missing file, disk full) exit 4
  Busy,           ///< the workspace is in use by another run             exit 5
  TrainingFailed  ///< the run diverged (NaN/Inf loss)                     exit 6
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

int exitCodeFor(ErrorKind kind);
/// A run stopped on request (Ctrl+C, SIGTERM, the studio's Stop) with a checkpoint: resumable, not
/// an error. 128 + SIGINT, as shells report an interrupted command.
inline constexpr int kExitStopped = 130;
const char* errorKindName(ErrorKind kind);

[[noreturn]] void throwConfigError(const std::string& message);
[[noreturn]] void throwInputError(const std::string& message);
[[noreturn]] void throwIoError(const std::string& message);

/// "what failed: strerror(errno)" for the current errno.
std::string describeErrno(const std::string& what);

}  // namespace temper
