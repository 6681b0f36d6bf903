#pragma once
/// Versioned schema of the experiment store. The version lives in `PRAGMA user_version` (0 for a
/// new, empty file); migration N takes the schema from N-1 to N. To change the schema, append a
/// migration to builtinMigrations() in migrations.cpp: never edit one that has shipped, since
/// databases out there already ran it. Internal to core/store (and its tests).
#include <span>

struct sqlite3;

namespace temper {

struct Migration {
  int version;                 ///< the version the database has after this migration
  const char* description;     ///< for error messages: "creating runs, metrics, ..."
  void (*apply)(sqlite3* db);  ///< runs inside migrate()'s transaction; throws Error on failure
};

/// Migrations 1..N in order; the last one's version is latestSchemaVersion().
std::span<const Migration> builtinMigrations();
int latestSchemaVersion();

int readSchemaVersion(sqlite3* db);

/// Error(InvalidInput) for a database whose schema version `found` is above `known`: it was
/// written by a newer Temper, and an older one must not guess at its tables.
[[noreturn]] void throwNewerSchema(sqlite3* db, int found, int known);

/// Brings the database up to the last version in `migrations`, all pending steps in ONE immediate
/// transaction: another process opening the same file waits (busy timeout) and then finds the work
/// done; a failing step leaves the file at its old version. Throws Error(InvalidInput) when the file
/// is newer than `migrations` knows (written by a newer Temper), Error(Internal) when `migrations`
/// are not numbered 1, 2, 3, ... in order.
void migrate(sqlite3* db, std::span<const Migration> migrations);

}  // namespace temper
