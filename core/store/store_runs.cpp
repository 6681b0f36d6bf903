// Store: the run lifecycle (create, start, heartbeat, finish, edit, delete) and run queries.
#include <sqlite3.h>

#include <string>

#include "core/common/error.h"
#include "core/common/workspace_paths.h"
#include "core/store/run_id.h"
#include "core/store/run_rows.h"
#include "core/store/sqlite_statement.h"
#include "core/store/store.h"
#include "core/store/transaction.h"

namespace temper {

bool isFinalRunStatus(std::string_view status) {
  return status == kRunFinished || status == kRunFailed || status == kRunCancelled;
}

namespace {

std::string unknownRunMessage(const std::string& id, const std::filesystem::path& db) {
  return "no run with id `" + id + "` in experiment store " + db.string();
}

}  // namespace

void Store::requireRun(const std::string& id, const char* operation) const {
  Statement query(connection(), "SELECT 1 FROM runs WHERE id = ?1");
  query.bind(1, id);
  if (!query.step()) {
    throw Error(ErrorKind::InvalidConfig, std::string(operation) + ": " + unknownRunMessage(id, path_));
  }
}

std::string Store::createRun(const NewRun& run) {
  sqlite3* db = writableConnection("createRun");
  Transaction transaction(db);
  // Two runs created in the same second share the time part; redraw the random suffix on a clash.
  Statement taken(db, "SELECT 1 FROM runs WHERE id = ?1");
  std::string id;
  for (int attempt = 0;; ++attempt) {
    id = newRunId();
    taken.reset();
    taken.bind(1, id);
    if (!taken.step()) break;
    if (attempt == 64) throw Error(ErrorKind::Internal, "createRun: no free run id after 64 tries");
  }
  std::string run_dir = run.run_dir.empty() ? WorkspacePaths{path_.parent_path()}.runDir(id).string() : run.run_dir;
  Statement insert(db,
                   "INSERT INTO runs (id, name, parent_id, method, base_model, dataset, config_json, status, device, "
                   "versions_json, run_dir, tags, threads, created_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  insert.bind(1, id).bind(2, run.name);
  if (run.parent_id.empty()) {
    insert.bindNull(3);
  } else {
    insert.bind(3, run.parent_id);
  }
  insert.bind(4, run.method).bind(5, run.base_model).bind(6, run.dataset);
  insert.bind(7, run.config_json.empty() ? std::string_view("{}") : std::string_view(run.config_json));
  insert.bind(8, kRunCreated).bind(9, run.device);
  insert.bind(10, run.versions_json.empty() ? std::string_view("{}") : std::string_view(run.versions_json));
  insert.bind(11, run_dir).bind(12, run.tags).bind(13, run.threads).bind(14, nowUnixSeconds());
  insert.run();
  transaction.commit();
  return id;
}

void Store::markRunning(const std::string& id, int64_t pid) {
  sqlite3* db = writableConnection("markRunning");
  // A resumed run goes through here again: clear what its previous end left behind.
  Statement update(db,
                   "UPDATE runs SET status = ?2, pid = ?3, started_at = ?4, heartbeat_at = ?4, finished_at = NULL, "
                   "error_message = '' WHERE id = ?1");
  update.bind(1, id).bind(2, kRunRunning).bind(3, pid).bind(4, nowUnixSeconds());
  update.run();
  if (sqlite3_changes(db) == 0) throw Error(ErrorKind::InvalidConfig, "markRunning: " + unknownRunMessage(id, path_));
}

void Store::heartbeat(const std::string& id) {
  sqlite3* db = writableConnection("heartbeat");
  Statement update(db, "UPDATE runs SET heartbeat_at = ?2 WHERE id = ?1");
  update.bind(1, id).bind(2, nowUnixSeconds());
  update.run();
  if (sqlite3_changes(db) == 0) throw Error(ErrorKind::InvalidConfig, "heartbeat: " + unknownRunMessage(id, path_));
}

void Store::finishRun(const std::string& id, const std::string& status, const std::string& error_message) {
  sqlite3* db = writableConnection("finishRun");
  if (!isFinalRunStatus(status)) {
    throw Error(ErrorKind::InvalidConfig,
                "finishRun: status `" + status + "` is not valid; use `finished`, `failed` or `cancelled`");
  }
  Statement update(db, "UPDATE runs SET status = ?2, error_message = ?3, finished_at = ?4, pid = NULL WHERE id = ?1");
  update.bind(1, id).bind(2, status).bind(3, error_message).bind(4, nowUnixSeconds());
  update.run();
  if (sqlite3_changes(db) == 0) throw Error(ErrorKind::InvalidConfig, "finishRun: " + unknownRunMessage(id, path_));
}

void Store::updateRunText(const std::string& id, const char* column, const std::string& value) {
  // `column` is one of the literals below, never caller input, so building the SQL is safe.
  sqlite3* db = writableConnection(column);
  Statement update(db, std::string("UPDATE runs SET ") + column + " = ?2 WHERE id = ?1");
  update.bind(1, id).bind(2, value);
  update.run();
  if (sqlite3_changes(db) == 0) {
    throw Error(ErrorKind::InvalidConfig, std::string("setting ") + column + ": " + unknownRunMessage(id, path_));
  }
}

void Store::updateRunConfig(const std::string& id, const std::string& config_json) {
  updateRunText(id, "config_json", config_json);
}
void Store::setNotes(const std::string& id, const std::string& notes) { updateRunText(id, "notes", notes); }
void Store::setTags(const std::string& id, const std::string& tags) { updateRunText(id, "tags", tags); }
void Store::renameRun(const std::string& id, const std::string& name) { updateRunText(id, "name", name); }

void Store::deleteRun(const std::string& id) {
  sqlite3* db = writableConnection("deleteRun");
  // foreign_keys = ON (set in open) makes this cascade to metrics, checkpoints and samples.
  Statement erase(db, "DELETE FROM runs WHERE id = ?1");
  erase.bind(1, id);
  erase.run();
  if (sqlite3_changes(db) == 0) throw Error(ErrorKind::InvalidConfig, "deleteRun: " + unknownRunMessage(id, path_));
}

std::vector<RunRecord> Store::listRuns() const {
  Statement query(connection(), "SELECT " + runColumns() + " FROM runs ORDER BY created_at DESC, id DESC");
  std::vector<RunRecord> runs;
  while (query.step()) runs.push_back(readRun(query));
  return runs;
}

std::optional<RunRecord> Store::findRun(const std::string& id_or_unique_prefix) const {
  if (id_or_unique_prefix.empty()) {
    throw Error(ErrorKind::InvalidConfig, "run id is empty; give a run id or a unique prefix of one");
  }
  Statement exact(connection(), "SELECT " + runColumns() + " FROM runs WHERE id = ?1");
  exact.bind(1, id_or_unique_prefix);
  if (exact.step()) return readRun(exact);

  // substr rather than LIKE: '_' and '%' in the prefix must match themselves.
  Statement prefixed(connection(),
                     "SELECT " + runColumns() + " FROM runs WHERE substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT 6");
  prefixed.bind(1, id_or_unique_prefix);
  std::vector<RunRecord> matches;
  while (prefixed.step()) matches.push_back(readRun(prefixed));
  if (matches.empty()) return std::nullopt;
  if (matches.size() == 1) return matches.front();
  std::string listed;
  for (size_t i = 0; i < matches.size() && i < 5; ++i) listed += (i ? ", " : "") + matches[i].id;
  if (matches.size() > 5) listed += ", ...";
  throw Error(ErrorKind::InvalidConfig, "run id prefix `" + id_or_unique_prefix + "` is ambiguous: it matches " +
                                            listed + "; give more characters of the id");
}

}  // namespace temper
