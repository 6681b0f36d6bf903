#include "core/methods/pretrain/prepared_data.h"

#include "core/common/error.h"
#include "core/common/hashing.h"
#include "core/data/prepare_dataset.h"
#include "core/methods/record_files.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {

std::filesystem::path preparedData(const TrainConfig& c, const std::filesystem::path& base, const WorkspacePaths& ws) {
  const std::filesystem::path data(c.data);
  if (std::filesystem::exists(data / "meta.json")) return std::filesystem::absolute(data);
  std::string key = sha256FileHex(resolveTokenizerFile(base)) + "|" + c.ext + "|" + std::to_string(c.val_fraction) +
                    "|" + std::to_string(c.seed);
  auto describe = [&key](const std::vector<std::filesystem::path>& paths) {
    for (const auto& p : paths) {
      if (!std::filesystem::exists(p)) throwIoError(p.string() + ": no such file or folder");
      for (auto it =
               std::filesystem::recursive_directory_iterator(std::filesystem::is_directory(p) ? p : p.parent_path());
           it != std::filesystem::recursive_directory_iterator(); ++it) {
        if (!std::filesystem::is_directory(p) && it->path() != p) continue;
        if (it->is_regular_file()) {
          key += "|" + std::filesystem::absolute(it->path()).string() + ":" + std::to_string(it->file_size()) + ":" +
                 std::to_string(it->last_write_time().time_since_epoch().count());
        }
      }
    }
  };
  auto inputs = splitPaths(c.data);
  auto val_inputs = splitPaths(c.val_data);
  describe(inputs);
  key += "|val";
  describe(val_inputs);
  const auto out = ws.root / "datasets" / sha256Hex(key).substr(0, 16);
  if (std::filesystem::exists(out / "meta.json")) return out;
  PrepareOptions options;
  options.tokenizer = base;
  options.inputs = inputs;
  options.val_inputs = val_inputs;
  options.val_fraction = c.val_fraction;
  options.seed = static_cast<uint64_t>(c.seed);
  options.out_dir = out;
  if (!c.ext.empty()) {
    for (const auto& e : splitPaths(c.ext)) options.extensions.push_back(e.string());
  }
  prepareDataset(options);
  return out;
}

}  // namespace temper
