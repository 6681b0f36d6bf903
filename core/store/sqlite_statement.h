#pragma once
/// RAII over one prepared statement (sqlite3_stmt). Owns the statement, never the connection,
/// which must outlive it. Same thread-safety as its connection: one thread at a time.
/// Parameter and column indexes follow SQLite: parameters from 1, columns from 0.
#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace temper {

class Statement {
 public:
  /// Prepares `sql`; throws Error (see throwSqliteError) naming the database when it fails.
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // One overload per width: with only int64_t and double, a plain int literal would be ambiguous.
  Statement& bind(int index, int value);
  Statement& bind(int index, int64_t value);
  /// NaN is bound as NULL explicitly (SQLite would do the same silently); read back with columnDouble.
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);  ///< copied (SQLITE_TRANSIENT)
  Statement& bindNull(int index);

  /// Advances; true when a row is available, false when done. Throws on error.
  bool step();
  /// Steps a statement that returns no rows (INSERT/UPDATE/DELETE).
  void run();
  /// Makes the statement reusable with new bindings (all bindings are cleared).
  void reset();

  bool columnIsNull(int column) const;
  int64_t columnInt64(int column) const;     ///< NULL reads as 0
  double columnDouble(int column) const;     ///< NULL reads as NaN (NaN was stored as NULL)
  std::string columnText(int column) const;  ///< NULL reads as ""

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace temper
