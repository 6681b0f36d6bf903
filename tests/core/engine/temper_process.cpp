#include "tests/core/engine/temper_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "tests/core/engine/piped_temper.h"

namespace temper::engine_test {
namespace {

using Clock = std::chrono::steady_clock;

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::filesystem::path temperBinary() { return std::filesystem::path(TEMPER_BIN_DIR) / "temper"; }

std::vector<Json> ProcessResult::events() const {
  std::vector<Json> parsed_events;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    start = end + 1;
    Json parsed = Json::parse(line, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      ADD_FAILURE() << "stdout line is not a JSON object: " << line;
      continue;
    }
    parsed_events.push_back(std::move(parsed));
  }
  return parsed_events;
}

std::vector<Json> ProcessResult::events(const std::string& type) const {
  std::vector<Json> out;
  for (const auto& e : events()) {
    if (e.value("type", "") == type) out.push_back(e);
  }
  return out;
}

TemperProcess::TemperProcess(const Args& args) {
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  // The child starts with default signal handling whatever the test runner did.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_strings{temperBinary().string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = childEnvironment();
  auto argv = spawnPointers(argv_strings);
  auto envp = spawnPointers(env_strings);
  int rc = ::posix_spawn(&pid_, argv[0], &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  out_fd_ = out_pipe[0];
  err_fd_ = err_pipe[0];
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << argv_strings[0] << ": " << std::strerror(rc);
    pid_ = -1;
    closeFd(out_fd_);
    closeFd(err_fd_);
  }
}

TemperProcess::~TemperProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  closeFd(out_fd_);
  closeFd(err_fd_);
}

bool TemperProcess::pump(std::chrono::milliseconds timeout) {
  pollfd fds[2];
  int count = 0;
  if (out_fd_ >= 0) fds[count++] = {out_fd_, POLLIN, 0};
  if (err_fd_ >= 0) fds[count++] = {err_fd_, POLLIN, 0};
  if (count == 0) return false;
  int ready = ::poll(fds, static_cast<nfds_t>(count), static_cast<int>(timeout.count()));
  if (ready < 0 && errno == EINTR) return true;
  if (ready <= 0) return false;
  char buffer[65536];
  for (int i = 0; i < count; ++i) {
    if (fds[i].revents == 0) continue;
    ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    bool is_out = fds[i].fd == out_fd_;
    if (n <= 0) {
      closeFd(is_out ? out_fd_ : err_fd_);
      continue;
    }
    (is_out ? out_ : err_).append(buffer, static_cast<size_t>(n));
  }
  return true;
}

std::string TemperProcess::waitForLine(const std::function<bool(const std::string&)>& match,
                                       std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    size_t end;
    while ((end = out_.find('\n', scanned_)) != std::string::npos) {
      std::string line = out_.substr(scanned_, end - scanned_);
      scanned_ = end + 1;
      if (match(line)) return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || out_fd_ < 0) return "";
    pump(left);
  }
}

void TemperProcess::signal(int signal_number) const {
  if (pid_ > 0 && !reaped_) ::kill(pid_, signal_number);
}

ProcessResult TemperProcess::finish(std::chrono::milliseconds timeout) {
  ProcessResult result;
  const auto deadline = Clock::now() + timeout;
  bool killed = false;
  while (out_fd_ >= 0 || err_fd_ >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      ADD_FAILURE() << "temper (pid " << pid_ << ") still running after " << timeout.count() << " ms; killed";
      ::kill(pid_, SIGKILL);
      killed = true;
      closeFd(out_fd_);
      closeFd(err_fd_);
      break;
    }
    pump(left);
  }
  if (pid_ > 0) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  if (killed) result.exit_code = -1;
  result.out = out_;
  result.err = err_;
  return result;
}

ProcessResult runTemper(const Args& args, std::chrono::milliseconds timeout) {
  TemperProcess process(args);
  return process.finish(timeout);
}

std::vector<std::pair<int64_t, double>> stepLosses(const ProcessResult& run) {
  std::vector<std::pair<int64_t, double>> out;
  for (const Json& event : run.events()) {
    if (event.value("type", "") != "step") continue;
    out.emplace_back(event.at("step").get<int64_t>(), event.at("loss").get<double>());
  }
  return out;
}

std::string runIdOf(const ProcessResult& run) {
  for (const Json& event : run.events()) {
    if (event.value("type", "") == "run_started") return event.at("run_id").get<std::string>();
  }
  return "";
}

}  // namespace temper::engine_test
