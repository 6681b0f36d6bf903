#include "tests/core/engine/piped_temper.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

extern char** environ;

namespace temper::engine_test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

}  // namespace

std::vector<char*> spawnPointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> childEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "OMP_NUM_THREADS=", 16) != 0) env.emplace_back(*e);
  }
  env.emplace_back("OMP_NUM_THREADS=1");
  return env;
}

PipedTemper::PipedTemper(const Args& args) : err_file_(dir_ / "err.txt") {
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return;
  }
  std::vector<std::string> argv_strings = {temperBinary().string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = childEnvironment();
  auto argv = spawnPointers(argv_strings);
  auto envp = spawnPointers(env_strings);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
    ADD_FAILURE() << "cannot start " << argv[0];
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  in_fd_ = in_pipe[1];
  out_fd_ = out_pipe[0];
}

PipedTemper::~PipedTemper() {
  closeInput();
  if (out_fd_ >= 0) ::close(out_fd_);
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void PipedTemper::sendRaw(const std::string& bytes) {
  ASSERT_EQ(::write(in_fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
}

void PipedTemper::closeInput() {
  if (in_fd_ >= 0) ::close(in_fd_);
  in_fd_ = -1;
}

Json PipedTemper::next(std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      Json parsed = Json::parse(line, nullptr, false);
      EXPECT_TRUE(parsed.is_object()) << "stdout line is not a JSON object: " << line;
      return parsed.is_object() ? parsed : Json();
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      ADD_FAILURE() << "no line within the timeout; stderr: " << stderrText();
      return Json();
    }
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(out_fd_, chunk, sizeof chunk);
    if (n <= 0) return Json();  // end of output
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

Json PipedTemper::nextOfType(const std::string& type) {
  for (Json line = next(); !line.is_null(); line = next()) {
    if (line.value("type", "") == type) return line;
  }
  return Json();
}

std::pair<std::string, Json> PipedTemper::answer() {
  std::string text;
  for (Json line = next(); !line.is_null(); line = next()) {
    const std::string type = line.value("type", "");
    if (type == "token") {
      EXPECT_FALSE(line.at("text").get<std::string>().empty()) << "a token line without text";
      text += line.at("text").get<std::string>();
    } else if (type == "answer_end") {
      return {text, line};
    } else {
      ADD_FAILURE() << "unexpected line while answering: " << line.dump();
    }
  }
  ADD_FAILURE() << "the answer did not end; stderr: " << stderrText();
  return {text, Json()};
}

int PipedTemper::wait(std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    ::usleep(10'000);
  }
  reaped_ = true;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string PipedTemper::stderrText() const { return fs::exists(err_file_) ? readFile(err_file_) : std::string(); }

}  // namespace temper::engine_test
