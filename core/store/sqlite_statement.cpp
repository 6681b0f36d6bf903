#include "core/store/sqlite_statement.h"

#include <sqlite3.h>

#include <cmath>
#include <limits>
#include <utility>

#include "core/store/sqlite_error.h"

namespace temper {

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    throwSqliteError(db, sqlite3_extended_errcode(db), "preparing `" + std::string(sql.substr(0, 60)) + "`");
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

namespace {
void checkBind(sqlite3* db, int rc, int index) {
  if (rc != SQLITE_OK) throwSqliteError(db, rc, "binding parameter " + std::to_string(index));
}
}  // namespace

Statement& Statement::bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }

Statement& Statement::bind(int index, int64_t value) {
  checkBind(db_, sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (std::isnan(value)) return bindNull(index);
  checkBind(db_, sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  // A null data pointer would bind SQL NULL; an empty string must stay ''.
  const char* data = value.data() ? value.data() : "";
  checkBind(db_, sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
  return *this;
}

Statement& Statement::bindNull(int index) {
  checkBind(db_, sqlite3_bind_null(stmt_, index), index);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
  throwSqliteError(db_, sqlite3_extended_errcode(db_), "running `" + sql.substr(0, 60) + "`");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::columnIsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

int64_t Statement::columnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::columnDouble(int column) const {
  if (columnIsNull(column)) return std::numeric_limits<double>::quiet_NaN();
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::columnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (!text) return {};
  // Length from column_bytes, so text containing NUL bytes survives.
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

}  // namespace temper
