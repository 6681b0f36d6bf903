#pragma once
/// Scope guard for one SQLite transaction: rolls back unless commit() was called, so an exception
/// halfway through a batch leaves the database as it was. Borrows the connection (which must
/// outlive it); same thread-safety as the connection. Not nestable (SQLite has no nested BEGIN).
struct sqlite3;

namespace temper {

class Transaction {
 public:
  enum class Mode {
    /// Takes the write lock at BEGIN. Every write transaction uses this: a deferred transaction that
    /// reads and then writes can fail with SQLITE_BUSY at once in WAL mode (its snapshot is stale)
    /// instead of waiting for the busy timeout.
    Immediate,
    /// Read-only snapshot: several SELECTs see one consistent state. Works on read-only connections.
    Deferred,
  };

  explicit Transaction(sqlite3* db, Mode mode = Mode::Immediate);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  /// Throws Error (Io/Busy) if the commit fails; the transaction is then rolled back.
  void commit();

 private:
  sqlite3* db_;
  bool open_ = true;
};

}  // namespace temper
