#include "core/tensor_io/model_weights.h"

#include <set>

#include "core/common/error.h"
#include "core/common/json_io.h"

namespace temper {
namespace {

constexpr const char* kSingleFile = "model.safetensors";
constexpr const char* kIndexFile = "model.safetensors.index.json";

void addFile(std::map<std::string, ModelWeights::Entry>& tensors, const std::shared_ptr<SafetensorsFile>& file) {
  for (const auto& info : file->tensors()) {
    auto [it, inserted] = tensors.emplace(info.name, ModelWeights::Entry{file, &info});
    if (!inserted) {
      throwInputError(file->path().string() + ": tensor `" + info.name + "` is also in " +
                      it->second.file->path().string());
    }
  }
}

// Shard names come from a file we did not write: only plain file names inside the folder.
std::filesystem::path shardPath(const std::filesystem::path& dir, const std::filesystem::path& index,
                                const std::string& tensor, const std::string& shard) {
  std::filesystem::path name(shard);
  if (shard.empty() || name.has_parent_path() || name.is_absolute() || shard == "." || shard == "..") {
    throwInputError(index.string() + ": weight_map[\"" + tensor + "\"] = \"" + shard +
                    "\" is not a file name in the model folder");
  }
  return dir / name;
}

}  // namespace

ModelWeights ModelWeights::open(const std::filesystem::path& dir) {
  ModelWeights weights;
  const auto single = dir / kSingleFile;
  const auto index = dir / kIndexFile;
  if (std::filesystem::exists(single)) {
    weights.source_ = single;
    weights.files_.push_back(single);
    addFile(weights.tensors_, SafetensorsFile::open(single));
    return weights;
  }
  if (!std::filesystem::exists(index)) {
    std::string message = dir.string() + ": no " + kSingleFile + " or " + kIndexFile;
    if (std::filesystem::exists(dir / "pytorch_model.bin") ||
        std::filesystem::exists(dir / "pytorch_model.bin.index.json")) {
      message +=
          "; this folder has only pickle weights (pytorch_model.bin), which Temper never loads because "
          "unpickling runs code. Convert them to safetensors first";
    }
    throwInputError(message);
  }
  weights.source_ = index;
  Json json = readJsonFile(index);
  if (!json.is_object() || !json.contains("weight_map") || !json["weight_map"].is_object()) {
    throwInputError(index.string() + ": `weight_map` (an object of tensor name -> shard file) is missing");
  }
  std::map<std::string, std::string> listed;
  std::set<std::string> shards;
  for (const auto& [tensor, shard] : json["weight_map"].items()) {
    if (!shard.is_string()) throwInputError(index.string() + ": weight_map[\"" + tensor + "\"] is not a file name");
    shardPath(dir, index, tensor, shard.get<std::string>());
    listed[tensor] = shard.get<std::string>();
    shards.insert(shard.get<std::string>());
  }
  if (listed.empty()) throwInputError(index.string() + ": `weight_map` is empty");
  for (const auto& shard : shards) {
    auto path = dir / shard;
    if (!std::filesystem::exists(path)) {
      throwIoError(index.string() + ": shard " + shard + " is missing from " + dir.string());
    }
    weights.files_.push_back(path);
    addFile(weights.tensors_, SafetensorsFile::open(path));
  }
  for (const auto& [tensor, shard] : listed) {
    auto it = weights.tensors_.find(tensor);
    if (it == weights.tensors_.end()) {
      throwInputError(index.string() + ": tensor `" + tensor + "` is listed in " + shard +
                      " but that file has no such tensor");
    }
    if (it->second.file->path().filename() != shard) {
      throwInputError(index.string() + ": tensor `" + tensor + "` is listed in " + shard + " but found in " +
                      it->second.file->path().filename().string());
    }
  }
  for (const auto& [name, entry] : weights.tensors_) {
    if (!listed.count(name)) {
      throwInputError(entry.file->path().string() + ": tensor `" + name + "` is not listed in " + index.string());
    }
  }
  return weights;
}

const ModelWeights::Entry* ModelWeights::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

uint64_t ModelWeights::bytes() const {
  uint64_t total = 0;
  for (const auto& [name, entry] : tensors_) total += entry.info->bytes();
  return total;
}

}  // namespace temper
