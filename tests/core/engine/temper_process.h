#pragma once
// Runs the real `temper` executable as a child process, as a person or the studio would: stdout
// and stderr captured on separate pipes (so the JSON-lines events on stdout can be checked line by
// line), stdin from /dev/null, OMP_NUM_THREADS=1. Tests pass `--workspace` with a folder of their
// own, so nothing lands in ~/.local/share/Temper.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace temper::engine_test {

using Json = nlohmann::json;
using Args = std::vector<std::string>;

/// The binary this test target was built with (the target depends on it).
std::filesystem::path temperBinary();

struct ProcessResult {
  int exit_code = -1;  ///< 128 + signal when the child was killed by a signal
  std::string out;     ///< stdout
  std::string err;     ///< stderr
  std::string all() const { return out + err; }
  /// Every stdout line parsed as JSON; a line that is not JSON fails the test.
  std::vector<Json> events() const;
  /// The events of one `type` ("eval", "run_started", ...), in order.
  std::vector<Json> events(const std::string& type) const;
};

/// A `temper` child running in the background. The destructor kills it (SIGKILL) if it is still
/// running, so a failing test never leaves a training run behind.
class TemperProcess {
 public:
  explicit TemperProcess(const Args& args);
  ~TemperProcess();
  TemperProcess(const TemperProcess&) = delete;
  TemperProcess& operator=(const TemperProcess&) = delete;

  /// Reads output until a complete stdout line satisfies `match` (returned), or the child closes
  /// stdout, or `timeout` passes (both return an empty string).
  std::string waitForLine(const std::function<bool(const std::string&)>& match, std::chrono::milliseconds timeout);
  void signal(int signal_number) const;
  /// Reads everything to the end and reaps the child; SIGKILLs it after `timeout`.
  ProcessResult finish(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  /// One round of reading from whichever pipe is ready; false once both are closed or on timeout.
  bool pump(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  size_t scanned_ = 0;  ///< stdout bytes already offered to waitForLine
  bool reaped_ = false;
};

/// Runs `temper args...` to completion (killed after `timeout`).
ProcessResult runTemper(const Args& args, std::chrono::milliseconds timeout = std::chrono::seconds(240));

/// The step events' losses of a train run's stdout, by step.
std::vector<std::pair<int64_t, double>> stepLosses(const ProcessResult& run);
/// The run id named by the first event of a train run's stdout ("" if none).
std::string runIdOf(const ProcessResult& run);

}  // namespace temper::engine_test
