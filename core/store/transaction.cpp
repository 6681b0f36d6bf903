#include "core/store/transaction.h"

#include <sqlite3.h>

#include "core/store/sqlite_error.h"

namespace temper {

Transaction::Transaction(sqlite3* db, Mode mode) : db_(db) {
  execSql(db_, mode == Mode::Immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", "starting a transaction");
}

Transaction::~Transaction() {
  if (!open_) return;
  // A failed rollback leaves nothing to do: SQLite rolls back by itself when the connection closes,
  // and a destructor must not throw.
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    int code = sqlite3_extended_errcode(db_);
    // If COMMIT failed the transaction may still be open (e.g. BUSY); the destructor rolls it back.
    open_ = sqlite3_get_autocommit(db_) == 0;
    throwSqliteError(db_, code, "committing a transaction");
  }
  open_ = false;
}

}  // namespace temper
