#include "core/peft/base_fingerprint.h"

#include <map>

#include "core/common/error.h"
#include "core/common/hashing.h"

namespace temper {

Json baseFingerprint(const std::vector<std::filesystem::path>& weight_files) {
  Json files = Json::array();
  for (const auto& file : weight_files) {
    files.push_back({{"name", file.filename().string()},
                     {"bytes", static_cast<uint64_t>(std::filesystem::file_size(file))},
                     {"sha256", sha256FileHex(file)}});
  }
  return Json{{"files", files}};
}

void requireSameFingerprint(const Json& recorded, const Json& current, const std::filesystem::path& base_dir,
                            const std::string& what) {
  if (!recorded.is_object() || !recorded.contains("files")) return;  // nothing recorded: nothing to hold against
  std::map<std::string, Json> expected;
  for (const auto& entry : recorded["files"]) expected[entry.at("name").get<std::string>()] = entry;
  for (const auto& entry : current.at("files")) {
    const std::string name = entry.at("name").get<std::string>();
    const std::string path = (base_dir / name).string();
    auto it = expected.find(name);
    if (it == expected.end()) {
      throwInputError(path + ": this weight file was not part of the base " + what + " was trained on");
    }
    if (entry.at("bytes") != it->second.at("bytes") || entry.at("sha256") != it->second.at("sha256")) {
      throwInputError(path + " changed since " + what + " was trained on it (its SHA-256 differs)");
    }
    expected.erase(it);
  }
  if (!expected.empty()) {
    throwInputError((base_dir / expected.begin()->first).string() + " is missing: " + what +
                    " was trained on a base that had it");
  }
}

void requireSameBase(const Json& recorded, const std::vector<std::filesystem::path>& weight_files,
                     const std::filesystem::path& base_dir, const std::string& what) {
  if (!recorded.is_object() || !recorded.contains("files")) return;
  requireSameFingerprint(recorded, baseFingerprint(weight_files), base_dir, what);
}

}  // namespace temper
