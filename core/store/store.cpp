// Store: opening, connection settings, lifetime. Runs and series live in store_runs.cpp and
// store_series.cpp.
#include "core/store/store.h"

#include <sqlite3.h>

#include <string>
#include <utility>

#include "core/common/error.h"
#include "core/store/schema.h"
#include "core/store/sqlite_error.h"
#include "core/store/sqlite_statement.h"

namespace temper {
namespace {

constexpr int kBusyTimeoutMs = 5000;

sqlite3* openConnection(const std::filesystem::path& path, int flags) {
  sqlite3* db = nullptr;
  // NOMUTEX: a Store is used from one thread at a time, so SQLite's per-connection mutex is overhead.
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    throw Error(ErrorKind::Io, "cannot open experiment store " + path.string() + ": " + detail);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return db;
}

std::string pragmaText(sqlite3* db, const char* sql) {
  Statement pragma(db, sql);
  return pragma.step() ? pragma.columnText(0) : std::string();
}

}  // namespace

Store::Store(sqlite3* db, std::filesystem::path path, bool read_only)
    : db_(db), path_(std::move(path)), read_only_(read_only) {}

Store::Store(Store&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)), read_only_(other.read_only_) {}

Store& Store::operator=(Store&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    read_only_ = other.read_only_;
  }
  return *this;
}

Store::~Store() { sqlite3_close_v2(db_); }

Store Store::open(const std::filesystem::path& db_path) {
  std::filesystem::path path = std::filesystem::absolute(db_path);
  if (!std::filesystem::is_directory(path.parent_path())) {
    throw Error(ErrorKind::Io, "cannot create experiment store " + path.string() + ": folder " +
                                   path.parent_path().string() + " does not exist");
  }
  // The Store owns the connection from here on, so a failure below closes it.
  Store store(openConnection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE), path, false);
  // The first statement reads the file header: a file that is not a database fails here with
  // InvalidInput (see throwSqliteError).
  std::string mode = pragmaText(store.db_, "PRAGMA journal_mode = WAL");
  if (mode != "wal") {
    throw Error(ErrorKind::Io, "experiment store " + path.string() + " cannot use write-ahead logging (journal mode " +
                                   mode + "); put the workspace on a local disk, not a network share");
  }
  // NORMAL is durable against a crash of the process, and in WAL mode a commit costs no fsync;
  // a power cut may lose the last metric batches, never corrupt the file.
  execSql(store.db_, "PRAGMA synchronous = NORMAL", "setting synchronous mode");
  execSql(store.db_, "PRAGMA foreign_keys = ON", "enabling foreign keys");
  migrate(store.db_, builtinMigrations());
  return store;
}

Store Store::openReadOnly(const std::filesystem::path& db_path) {
  std::filesystem::path path = std::filesystem::absolute(db_path);
  if (!std::filesystem::exists(path)) {
    throw Error(ErrorKind::Io, "experiment store " + path.string() +
                                   " does not exist; check --workspace, or start a run to create it");
  }
  const int known = latestSchemaVersion();
  int version = 0;
  {
    Store store(openConnection(path, SQLITE_OPEN_READONLY), path, true);
    version = readSchemaVersion(store.db_);
    if (version > known) throwNewerSchema(store.db_, version, known);
    if (version == known) return store;
  }
  const std::string needs = "experiment store " + path.string() + " has schema version " + std::to_string(version) +
                            " and this Temper needs " + std::to_string(known);
  if (version == 0) {
    throw Error(ErrorKind::InvalidInput, needs +
                                             "; a read-only open cannot upgrade it: run any temper command that "
                                             "writes (e.g. `temper train`) on this workspace first");
  }
  // An older Temper's store: every reader would refuse it until some writer came along, so upgrade
  // it here, once, with the same migrations in the same single transaction as Store::open.
  try {
    Store::open(path);
  } catch (const Error& e) {
    throw Error(ErrorKind::InvalidInput, needs + "; upgrading it failed: " + e.what());
  }
  return openReadOnly(path);
}

int Store::schemaVersion() const { return readSchemaVersion(connection()); }

sqlite3* Store::connection() const {
  if (!db_) throw Error(ErrorKind::Internal, "experiment store used after it was moved from");
  return db_;
}

sqlite3* Store::writableConnection(const char* operation) const {
  if (read_only_) {
    throw Error(ErrorKind::Internal, std::string(operation) + ": experiment store " + path_.string() +
                                         " was opened read-only; writing needs Store::open");
  }
  return connection();
}

}  // namespace temper
