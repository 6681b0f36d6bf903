#pragma once
/// The weights of a Hugging Face model folder: one `model.safetensors`, or shards listed by
/// `model.safetensors.index.json` ({"metadata": {...}, "weight_map": {tensor: shard file}}), seen as
/// one name -> tensor map. Torch-free: inspecting a model reads headers only.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor_io/safetensors_file.h"

namespace temper {

/// The weights file of an unsharded Hugging Face model folder (what Temper writes).
inline constexpr const char* kModelWeightsFile = "model.safetensors";

class ModelWeights {
 public:
  struct Entry {
    std::shared_ptr<SafetensorsFile> file;
    const TensorInfo* info = nullptr;  ///< lives as long as `file`
  };

  /// Opens the folder's weights. Throws Error(InvalidInput) when there are none (naming a pickle
  /// `pytorch_model.bin` when that is all there is: pickles are never loaded), for a malformed index,
  /// a tensor listed in the index but absent from its shard, a shard tensor the index does not list,
  /// or a name in two shards; Error(Io) for a shard that cannot be opened. Messages name the file.
  static ModelWeights open(const std::filesystem::path& dir);

  const std::map<std::string, Entry>& tensors() const { return tensors_; }
  /// nullptr when absent.
  const Entry* find(const std::string& name) const;
  const std::vector<std::filesystem::path>& files() const { return files_; }
  /// Sum of the tensor bytes over all shards.
  uint64_t bytes() const;
  /// "model.safetensors", or the index file for sharded weights: what error messages name.
  const std::filesystem::path& source() const { return source_; }

 private:
  std::map<std::string, Entry> tensors_;
  std::vector<std::filesystem::path> files_;
  std::filesystem::path source_;
};

}  // namespace temper
