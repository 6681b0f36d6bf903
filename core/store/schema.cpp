#include "core/store/schema.h"

#include <string>

#include "core/common/error.h"
#include "core/store/sqlite_error.h"
#include "core/store/sqlite_statement.h"
#include "core/store/transaction.h"

namespace temper {

int latestSchemaVersion() { return builtinMigrations().back().version; }

int readSchemaVersion(sqlite3* db) {
  Statement query(db, "PRAGMA user_version");
  query.step();
  return static_cast<int>(query.columnInt64(0));
}

namespace {

void checkOrdered(std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1 || !migrations[i].apply) {
      throw Error(ErrorKind::Internal, "store migrations must be numbered 1, 2, 3, ... in order; entry " +
                                           std::to_string(i) + " has version " + std::to_string(migrations[i].version));
    }
  }
}

}  // namespace

void throwNewerSchema(sqlite3* db, int found, int known) {
  throw Error(ErrorKind::InvalidInput,
              "experiment store " + databaseName(db) + " has schema version " + std::to_string(found) +
                  ", but this Temper knows versions up to " + std::to_string(known) +
                  "; it was written by a newer Temper: upgrade Temper, or use another --workspace");
}

void migrate(sqlite3* db, std::span<const Migration> migrations) {
  checkOrdered(migrations);
  const int target = static_cast<int>(migrations.size());
  // Cheap check first, so an up-to-date database does not take the write lock on every open.
  int version = readSchemaVersion(db);
  if (version > target) throwNewerSchema(db, version, target);
  if (version == target) return;

  Transaction transaction(db, Transaction::Mode::Immediate);
  // Read again under the write lock: another process may have migrated while we waited.
  version = readSchemaVersion(db);
  if (version > target) throwNewerSchema(db, version, target);
  for (int next = version + 1; next <= target; ++next) {
    const Migration& migration = migrations[static_cast<size_t>(next - 1)];
    migration.apply(db);
    // user_version lives in the file header, which is part of the transaction.
    execSql(db, ("PRAGMA user_version = " + std::to_string(next)).c_str(),
            std::string("migrating to schema version ") + std::to_string(next) + " (" + migration.description + ")");
  }
  transaction.commit();
}

}  // namespace temper
