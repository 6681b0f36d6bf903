#pragma once
// Helpers shared by the store tests: a temporary folder per test, raw SQLite access to build or
// inspect databases behind the store's back, and catching a temper::Error to assert on it.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

#include "core/common/error.h"
#include "tests/support/temp_dir.h"

namespace temper::store_test {

using test_support::TempDir;

/// A raw connection for setting up or inspecting a database without the store.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << "cannot open " << path;
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  sqlite3* get() const { return db_; }
  void exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (message ? message : "?");
    }
    sqlite3_free(message);
  }
  /// First column of the first row as an integer (0 when there is no row).
  int64_t integer(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    int64_t value = 0;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    } else if (sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return value;
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string value;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      if (auto* text = sqlite3_column_text(stmt, 0)) value = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

/// Runs `body`, which must throw temper::Error, and returns that error for assertions on kind and text.
inline Error expectError(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& error) {
    return error;
  } catch (const std::exception& other) {
    ADD_FAILURE() << "expected temper::Error, got another exception: " << other.what();
    return Error(ErrorKind::Internal, "<wrong exception>");
  }
  ADD_FAILURE() << "expected temper::Error, nothing was thrown";
  return Error(ErrorKind::Internal, "<nothing thrown>");
}

inline ::testing::AssertionResult mentions(const Error& error, const std::string& text) {
  if (std::string(error.what()).find(text) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "message \"" << error.what() << "\" does not mention \"" << text << "\"";
}

}  // namespace temper::store_test
