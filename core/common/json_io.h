#pragma once
/// Reading JSON files with errors that name the file and position, and writing files atomically
/// (write a temporary beside the target, fsync, rename), so a crash or a full disk never leaves a
/// half-written file under the final name.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace temper {

using Json = nlohmann::json;

/// Throws Error(Io) when the file cannot be read, Error(InvalidInput) when it is not valid JSON
/// (the message names the file and byte offset).
Json readJsonFile(const std::filesystem::path& path);
/// Reads the whole file; throws Error(Io) naming the path.
std::string readTextFile(const std::filesystem::path& path);

/// Writes `content` to `path` atomically. Throws Error(Io) (e.g. "disk full") naming the path; the
/// previous file, if any, is left as it was.
void writeFileAtomic(const std::filesystem::path& path, const std::string& content);
void writeJsonFileAtomic(const std::filesystem::path& path, const Json& json);

/// fsync a directory so a rename inside it is durable.
void syncDirectory(const std::filesystem::path& dir);

}  // namespace temper
