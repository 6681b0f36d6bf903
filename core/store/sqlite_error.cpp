#include "core/store/sqlite_error.h"

#include <sqlite3.h>

#include "core/common/error.h"

namespace temper {

std::string databaseName(sqlite3* db) {
  const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
  return file && *file ? std::string(file) : std::string(":memory:");
}

void throwSqliteError(sqlite3* db, int rc, std::string_view what) {
  // sqlite3_errmsg describes the latest failure on this connection; when there is no connection
  // (open itself failed badly) the generic text for the code is all there is.
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string where = "experiment store " + databaseName(db);
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      throw Error(ErrorKind::InvalidInput,
                  where + " is not a usable SQLite database (" + detail + ", while " + std::string(what) +
                      "); it is damaged or not a Temper store: move it aside or use another --workspace");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(ErrorKind::Busy, where + " stayed locked by another process for more than 5 s while " +
                                       std::string(what) + " (" + detail + "); try again when it is idle");
    default:
      throw Error(ErrorKind::Io, where + ": " + std::string(what) + " failed: " + detail);
  }
}

void execSql(sqlite3* db, const char* sql, std::string_view what) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throwSqliteError(db, sqlite3_extended_errcode(db), what);
}

}  // namespace temper
