#include "core/store/run_rows.h"

#include <array>

namespace temper {

std::string runColumns(std::string_view alias, bool with_config) {
  static constexpr std::array<const char*, 20> kColumns = {
      "id",      "name",   "parent_id",     "method",     "base_model",  "dataset",     "config_json",
      "status",  "device", "versions_json", "run_dir",    "tags",        "notes",       "error_message",
      "threads", "pid",    "created_at",    "started_at", "finished_at", "heartbeat_at"};
  std::string sql;
  for (const char* column : kColumns) {
    if (!sql.empty()) sql += ", ";
    if (!with_config && std::string_view(column) == "config_json") {
      sql += "''";
      continue;
    }
    if (!alias.empty()) sql.append(alias).append(".");
    sql += column;
  }
  return sql;
}

RunRecord readRun(const Statement& row) {
  RunRecord run;
  run.id = row.columnText(0);
  run.name = row.columnText(1);
  run.parent_id = row.columnText(2);
  run.method = row.columnText(3);
  run.base_model = row.columnText(4);
  run.dataset = row.columnText(5);
  run.config_json = row.columnText(6);
  run.status = row.columnText(7);
  run.device = row.columnText(8);
  run.versions_json = row.columnText(9);
  run.run_dir = row.columnText(10);
  run.tags = row.columnText(11);
  run.notes = row.columnText(12);
  run.error_message = row.columnText(13);
  run.threads = static_cast<int>(row.columnInt64(14));
  run.pid = row.columnInt64(15);
  // NULL times ("not yet") read as 0, not NaN, as RunRecord documents.
  run.created_at = row.columnIsNull(16) ? 0 : row.columnDouble(16);
  run.started_at = row.columnIsNull(17) ? 0 : row.columnDouble(17);
  run.finished_at = row.columnIsNull(18) ? 0 : row.columnDouble(18);
  run.heartbeat_at = row.columnIsNull(19) ? 0 : row.columnDouble(19);
  return run;
}

}  // namespace temper
