#pragma once
/// The files of a run folder (`<workspace>/runs/<id>/`), named in one place: the engine writes
/// them, `runs show`, export and resume read them (docs/cli.md lists the layout).
#include <filesystem>

namespace temper {

/// A checkpoint's trainer state (step, optimizer, RNG, data position); a checkpoint folder is
/// complete once it exists.
inline constexpr const char* kTrainerStateFile = "trainer_state.json";

struct RunPaths {
  std::filesystem::path dir;

  /// The exact config the run was started with (train keys, model, runtime, data summary).
  std::filesystem::path config() const { return dir / "config.json"; }
  /// pretrain: the dataset's tokenizer, copied so a resume does not depend on the dataset folder.
  std::filesystem::path tokenizer() const { return dir / "tokenizer.model"; }
  /// `step-N/` folders, each a model folder with a trainer_state.json.
  std::filesystem::path checkpoints() const { return dir / "checkpoints"; }
  /// The model at max-steps, a Hugging Face folder.
  std::filesystem::path finalModel() const { return dir / "final"; }
  std::filesystem::path events() const { return dir / "events.jsonl"; }
  std::filesystem::path samples() const { return dir / "samples.jsonl"; }
};

}  // namespace temper
