#pragma once
/// One training run per workspace at a time: an exclusive flock on `<workspace>/run.lock`. The file
/// holds the owner's pid and description so the next process can say who is in the way. The kernel
/// drops the lock when the process dies, however it dies, so a crash never leaves a stale lock; the
/// file itself stays (deleting a lock file races with processes that already opened it).
///
/// Ownership: owns one file descriptor; move-only; the lock is held until destruction. The lock is
/// per open file, not per process: a second acquire() in the same process also fails with Busy.
/// Not for use across threads without external synchronisation.
#include <filesystem>
#include <string>
#include <utility>

namespace temper {

class WorkspaceLock {
 public:
  /// Creates `<workspace_root>/run.lock` if needed and locks it without waiting. Throws
  /// Error(Busy) "workspace <root> is in use by run <description> (pid N); ..." when another process
  /// (or another WorkspaceLock) holds it, Error(Io) naming the file when it cannot be opened.
  static WorkspaceLock acquire(const std::filesystem::path& workspace_root, const std::string& owner_description);

  WorkspaceLock(WorkspaceLock&& other) noexcept;
  WorkspaceLock& operator=(WorkspaceLock&& other) noexcept;
  WorkspaceLock(const WorkspaceLock&) = delete;
  WorkspaceLock& operator=(const WorkspaceLock&) = delete;
  ~WorkspaceLock();

  const std::filesystem::path& path() const { return path_; }

 private:
  WorkspaceLock(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  void release() noexcept;

  int fd_ = -1;
  std::filesystem::path path_;
};

}  // namespace temper
