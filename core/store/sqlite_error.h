#pragma once
/// Turning SQLite result codes into temper::Error with a message a person can act on. Internal to
/// core/store: nothing outside the store sees sqlite3 types.
#include <string>
#include <string_view>

struct sqlite3;

namespace temper {

/// The file behind the connection's main database, or ":memory:" for an in-memory one.
std::string databaseName(sqlite3* db);

/// Throws the Error that fits `rc` (an extended SQLite result code), naming the database file and
/// `what` was being done:
///   NOTADB, CORRUPT      -> InvalidInput (the file is damaged or not a store)
///   BUSY, LOCKED         -> Busy (another process held the write lock past the busy timeout)
///   anything else        -> Io (open/read/write failed: permissions, disk full, ...)
[[noreturn]] void throwSqliteError(sqlite3* db, int rc, std::string_view what);

/// Runs SQL without results (DDL, PRAGMA writes, BEGIN/COMMIT); throws as above.
void execSql(sqlite3* db, const char* sql, std::string_view what);

}  // namespace temper
