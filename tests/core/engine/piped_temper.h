#pragma once
// `temper ARGS` with a pipe on stdin and one on stdout (stderr to a file): write lines, read lines,
// as a program talking to it does (the studio's Playground driving `temper chat --json`). Shared by
// the engine tests that hold a conversation with the real binary.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/core/engine/engine_test_support.h"

namespace temper::engine_test {

/// Null-terminated argv/envp arrays for posix_spawn, pointing into `strings` (keep it alive).
std::vector<char*> spawnPointers(std::vector<std::string>& strings);
/// This process's environment with OMP_NUM_THREADS=1, for a `temper` child.
std::vector<std::string> childEnvironment();

/// A `temper` child with both ends piped. SIGKILLed by the destructor if still running.
/// Not thread-safe: one test thread writes and reads.
class PipedTemper {
 public:
  explicit PipedTemper(const Args& args);
  ~PipedTemper();
  PipedTemper(const PipedTemper&) = delete;
  PipedTemper& operator=(const PipedTemper&) = delete;

  void send(const Json& message) { sendRaw(message.dump() + "\n"); }
  void sendRaw(const std::string& bytes);
  void closeInput();

  /// The next stdout line as JSON (null on end of output or after `timeout`; a line that is not
  /// a JSON object fails the test).
  Json next(std::chrono::seconds timeout = std::chrono::seconds(120));
  /// The next line of type `type`, skipping others (null if none comes).
  Json nextOfType(const std::string& type);
  /// Reads the answer to a `user` message: its token lines' texts joined, and the answer_end line.
  std::pair<std::string, Json> answer();
  /// Waits for the exit (SIGKILL after `timeout`); the exit code, 128 + signal when killed.
  int wait(std::chrono::seconds timeout = std::chrono::seconds(60));

  std::string stderrText() const;

 private:
  TempDir dir_{"piped-temper"};
  std::filesystem::path err_file_;
  pid_t pid_ = -1;
  int in_fd_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  bool reaped_ = false;
};

}  // namespace temper::engine_test
