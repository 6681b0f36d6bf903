// One run per workspace: the second taker gets Error(Busy) naming the holder; death releases.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>

#include "core/store/workspace_lock.h"
#include "store_test_support.h"

using namespace temper;
using namespace temper::store_test;

namespace {

// Runs `child` in a forked process and returns its exit code. The child leaves with _exit, so
// GoogleTest's state and the parent's destructors are not run twice.
int inChildProcess(const std::function<int()>& child) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int code = 99;
    try {
      code = child();
    } catch (...) {
      code = 98;
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

enum ChildResult { kAcquired = 0, kBusyAsExpected = 10, kBusyWrongMessage = 11, kOtherError = 12 };

// In the child: try to take the lock; report how it went and leave the message in `message_file`.
int tryAcquire(const std::filesystem::path& root, const std::string& expected_message,
               const std::filesystem::path& message_file) {
  try {
    WorkspaceLock lock = WorkspaceLock::acquire(root, "child");
    return kAcquired;
  } catch (const Error& error) {
    std::ofstream(message_file) << error.what();
    if (error.kind() != ErrorKind::Busy) return kOtherError;
    return error.what() == expected_message ? kBusyAsExpected : kBusyWrongMessage;
  }
}

std::string readAll(const std::filesystem::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(WorkspaceLock, SecondProcessGetsBusyNamingTheHolder) {
  TempDir dir;
  WorkspaceLock lock = WorkspaceLock::acquire(dir.path(), "20261127-084512-a3f9 (sft)");
  EXPECT_EQ(lock.path(), dir / "run.lock");
  std::string expected = "workspace " + dir.path().string() + " is in use by run 20261127-084512-a3f9 (sft) (pid " +
                         std::to_string(::getpid()) + "); wait for it to finish or use another --workspace";
  auto message_file = dir / "child-message.txt";
  EXPECT_EQ(inChildProcess([&] { return tryAcquire(dir.path(), expected, message_file); }), kBusyAsExpected)
      << "child saw: " << readAll(message_file) << "\nexpected:  " << expected;
}

TEST(WorkspaceLock, SecondAcquireInTheSameProcessIsBusyToo) {
  TempDir dir;
  WorkspaceLock held = WorkspaceLock::acquire(dir.path(), "first\nwith a newline");
  Error error = expectError([&] { WorkspaceLock::acquire(dir.path(), "second"); });
  EXPECT_EQ(error.kind(), ErrorKind::Busy);
  EXPECT_TRUE(mentions(error, "in use by run first with a newline (pid " + std::to_string(::getpid()) + ")"));
}

TEST(WorkspaceLock, ReleasedByDestructorAndByMove) {
  TempDir dir;
  auto message_file = dir / "child-message.txt";
  {
    WorkspaceLock first = WorkspaceLock::acquire(dir.path(), "first");
    WorkspaceLock moved = std::move(first);  // the lock travels with the object
    EXPECT_EQ(inChildProcess([&] { return tryAcquire(dir.path(), "", message_file); }), kBusyWrongMessage)
        << "the moved-to lock must still hold";
  }
  EXPECT_EQ(inChildProcess([&] { return tryAcquire(dir.path(), "", message_file); }), kAcquired)
      << readAll(message_file);
}

TEST(WorkspaceLock, ReleasedWhenTheHolderDies) {
  TempDir dir;
  // The child takes the lock and dies without running any destructor, as a crash would.
  int code = inChildProcess([&] {
    WorkspaceLock* leaked = new WorkspaceLock(WorkspaceLock::acquire(dir.path(), "crashing run"));
    (void)leaked;
    ::_exit(0);
    return 1;
  });
  ASSERT_EQ(code, 0);
  EXPECT_NO_THROW(WorkspaceLock::acquire(dir.path(), "next run"));
}

TEST(WorkspaceLock, MissingWorkspaceIsIoNamingTheFile) {
  TempDir dir;
  auto root = dir / "missing";
  Error error = expectError([&] { WorkspaceLock::acquire(root, "x"); });
  EXPECT_EQ(error.kind(), ErrorKind::Io);
  EXPECT_TRUE(mentions(error, (root / "run.lock").string()));
}
