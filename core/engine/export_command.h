#pragma once
/// `temper export --run ID --out DIR`: a run's model as a clean Hugging Face folder (config.json,
/// the weights or the adapter files, the tokenizer files) without anything of Temper's own
/// (trainer_state.json, optimizer.safetensors), written atomically. `--merge` turns an adapter run
/// into a plain model folder of its base's family.
#include <filesystem>
#include <string>
#include <vector>

#include "core/common/json_io.h"

namespace temper {

struct ExportRequest {
  std::string workspace;  ///< --workspace as given ("" : the default workspace)
  std::string run;        ///< run id or a unique prefix
  std::filesystem::path out;
  std::string checkpoint;  ///< "" (final/, else the latest checkpoint), "final" or "step-N"
  bool force = false;      ///< replace a non-empty `out`
  /// An adapter run: write its base with the adapter folded into the weights (LoRA/DoRA), a plain
  /// Hugging Face folder of the base's family, instead of copying the adapter folder.
  bool merge = false;
};

struct ExportResult {
  std::string run_id;
  std::filesystem::path source;  ///< the folder copied (run_dir/final or run_dir/checkpoints/step-N)
  std::filesystem::path out;
  std::vector<std::string> files;
  uint64_t bytes = 0;
  Json toJson() const;
};

/// Copies into `out.tmp-XXXXXX` beside `out`, fsyncs, then renames it to `out`; a failure leaves
/// `out` as it was. Throws Error(InvalidConfig) for an unknown run or checkpoint, or a non-empty
/// `out` without `force`; Error(InvalidInput) when the source is not a loadable model folder;
/// Error(Io) when copying fails (the temporary folder is removed).
ExportResult exportRun(const ExportRequest& request);

}  // namespace temper
