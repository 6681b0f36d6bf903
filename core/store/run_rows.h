#pragma once
/// How a row of `runs` is selected and read back, shared by every query that returns RunRecords
/// (store_runs.cpp, store_summaries.cpp). Internal to core/store.
#include <string>
#include <string_view>

#include "core/store/records.h"
#include "core/store/sqlite_statement.h"

namespace temper {

/// The 20 columns readRun() expects, in its order, comma-separated. `alias` (e.g. "r") qualifies
/// each column for joins; empty leaves them bare. Without `with_config`, config_json is selected as
/// '' so that a list of runs does not read kilobytes of JSON a run it will not show.
std::string runColumns(std::string_view alias = {}, bool with_config = true);

/// Reads the columns of runColumns() from the current row, starting at column 0.
RunRecord readRun(const Statement& row);

}  // namespace temper
