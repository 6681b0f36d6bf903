#pragma once
/// What an adapter was trained on: the base folder's weight files, each with its size and SHA-256.
/// A resume, or loading a run's adapter, checks it so an adapter never silently runs on another
/// base (the numbers would be meaningless). Hashing reads every byte once (about 1 s per GB here),
/// which is the price of catching a single changed weight.
#include <filesystem>

#include <vector>
#include "core/common/json_io.h"

namespace temper {

/// {"files": [{"name", "bytes", "sha256"}, ...]} of the base's weight files.
Json baseFingerprint(const std::vector<std::filesystem::path>& weight_files);

/// Throws Error(InvalidInput) naming the first file of the base (in `base_dir`) whose entry in
/// `current` (a baseFingerprint) is new, missing or differs from `recorded`.
void requireSameFingerprint(const Json& recorded, const Json& current, const std::filesystem::path& base_dir,
                            const std::string& what);

/// Throws Error(InvalidInput) naming the first of the base's `weight_files` (in `base_dir`) that
/// is new, missing or differs from `recorded`; `what` says what was trained on it ("this adapter").
void requireSameBase(const Json& recorded, const std::vector<std::filesystem::path>& weight_files,
                     const std::filesystem::path& base_dir, const std::string& what);

}  // namespace temper
