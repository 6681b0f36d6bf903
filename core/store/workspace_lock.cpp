#include "core/store/workspace_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "core/common/error.h"

namespace temper {
namespace {

std::string readOwner(int fd) {
  std::string content;
  char buffer[512];
  off_t offset = 0;
  // Bounded: the file holds two short lines; a huge one is not ours to trust.
  while (content.size() < 4096) {
    ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
    if (n <= 0) break;
    content.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  return content;
}

std::string busyMessage(const std::filesystem::path& root, const std::string& content) {
  // Format written by acquire(): "<pid>\n<description>\n". The holder may not have written it yet
  // (it locks first, then writes), so an empty or partial file is normal.
  auto newline = content.find('\n');
  std::string pid = content.substr(0, newline);
  std::string description;
  if (newline != std::string::npos) {
    description = content.substr(newline + 1);
    if (auto end = description.find('\n'); end != std::string::npos) description.resize(end);
  }
  std::string who = description.empty() ? "another run" : "run " + description;
  std::string pid_text = pid.empty() ? "" : " (pid " + pid + ")";
  return "workspace " + root.string() + " is in use by " + who + pid_text +
         "; wait for it to finish or use another --workspace";
}

}  // namespace

WorkspaceLock WorkspaceLock::acquire(const std::filesystem::path& workspace_root,
                                     const std::string& owner_description) {
  std::filesystem::path path = workspace_root / "run.lock";
  // O_CLOEXEC: a child the run starts (a tokenizer helper, say) must not keep the workspace locked.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(ErrorKind::Io, describeErrno("cannot open workspace lock " + path.string()));
  WorkspaceLock lock(fd, path);  // closes fd on any throw below
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) throw Error(ErrorKind::Busy, busyMessage(workspace_root, readOwner(fd)));
    throw Error(ErrorKind::Io, describeErrno("cannot lock workspace lock " + path.string()));
  }
  std::string description = owner_description;
  std::replace(description.begin(), description.end(), '\n', ' ');
  std::string content = std::to_string(::getpid()) + "\n" + description + "\n";
  // Who holds the lock is information for others' error messages; failing to write it is not a
  // reason to refuse the run, so errors here are ignored.
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t written = ::pwrite(fd, content.data(), content.size(), 0);
  }
  return lock;
}

WorkspaceLock::WorkspaceLock(WorkspaceLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

WorkspaceLock& WorkspaceLock::operator=(WorkspaceLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

WorkspaceLock::~WorkspaceLock() { release(); }

void WorkspaceLock::release() noexcept {
  if (fd_ < 0) return;
  // The owner lines stay behind: they are read only while someone holds the lock, and every holder
  // rewrites them. (Clearing them here would also be wrong for a WorkspaceLock that failed to lock.)
  ::close(std::exchange(fd_, -1));
}

}  // namespace temper
