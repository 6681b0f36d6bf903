#pragma once
/// `temper data inspect`: what a dataset is before anything trains on it — the detected format and
/// the fields that will be used, record / document / byte counts, the first records, label counts
/// for classification data, and token counts with a given tokenizer. The wizard's data page shows it.
#include <filesystem>
#include <string>
#include <vector>

#include "core/common/json_io.h"

namespace temper {

struct DataInspectRequest {
  std::vector<std::filesystem::path> inputs;
  std::filesystem::path tokenizer;      ///< empty: no token counts
  std::vector<std::string> extensions;  ///< for folders of raw text
  int64_t preview = 5;
};

/// {"files","skipped_files","format","fields","records","documents","bytes","tokens"?,"preview","labels"?}.
/// Record files (.jsonl/.json/.csv) are read as records; anything else as raw text documents.
Json inspectData(const DataInspectRequest& request);

}  // namespace temper
