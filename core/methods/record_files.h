#pragma once
/// The `data` and `val-data` values of the methods that read record files (sft, classify, and the
/// preference methods to come): comma-separated files or folders, a folder standing for the
/// .jsonl/.json/.csv files in it, sorted.
#include <filesystem>
#include <string>
#include <vector>

namespace temper {

/// The comma-separated parts of `text`, empty parts skipped.
std::vector<std::filesystem::path> splitPaths(const std::string& text);

/// Throws Error(Io) for a path that does not exist, Error(InvalidInput) for a folder without
/// record files.
std::vector<std::filesystem::path> recordFiles(const std::string& text);

}  // namespace temper
