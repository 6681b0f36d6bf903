#include "core/methods/record_files.h"

#include <algorithm>

#include "core/common/error.h"

namespace temper {

std::vector<std::filesystem::path> splitPaths(const std::string& text) {
  std::vector<std::filesystem::path> paths;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) paths.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return paths;
}

std::vector<std::filesystem::path> recordFiles(const std::string& text) {
  std::vector<std::filesystem::path> files;
  for (const auto& path : splitPaths(text)) {
    if (!std::filesystem::exists(path)) throwIoError(path.string() + ": no such file or folder");
    if (!std::filesystem::is_directory(path)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      const auto ext = entry.path().extension();
      if (entry.is_regular_file() && (ext == ".jsonl" || ext == ".json" || ext == ".csv"))
        found.push_back(entry.path());
    }
    if (found.empty()) throwInputError(path.string() + ": no .jsonl, .json or .csv files in this folder");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

}  // namespace temper
