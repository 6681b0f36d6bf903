#pragma once
/// `temper prefs generate`: two answers to each prompt from two sources (models, checkpoints,
/// adapters, or one model sampled two ways), stored as preference pairs to be labelled
/// (docs/preferences.md, "Generating pairs"). Each prompt's samples of a source are one batch with a
/// KV cache; a prompt's pairs are committed together before the next prompt starts, so a crash
/// keeps every finished prompt and a second run with the same settings goes on where it stopped.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/model/generation.h"

namespace temper {

class Console;

/// One side of the pairs: where its answers come from and how they are sampled.
struct PairSource {
  std::filesystem::path model;    ///< a model folder (a run's final/ or checkpoints/step-N/), or an adapter folder
  std::filesystem::path adapter;  ///< a PEFT adapter applied to `model`; empty: none
  SamplingOptions sampling;       ///< seed: the side's base seed (each sample's is derived from it)
};

struct PrefsGenerateRequest {
  std::string workspace;
  std::string set;
  std::filesystem::path prompts;  ///< .txt (one prompt per line) or records with `prompt` or `messages`
  PairSource a, b;
  int64_t per_prompt = 1;     ///< pairs per prompt
  int64_t limit = 0;          ///< use the first N prompts (0: all)
  std::string chat_template;  ///< "" : each model's own, plain when it has none; else a name
  std::string system;         ///< a system message before each prompt
  bool raw = false;           ///< continue text prompts as they are, no chat template (base models)
  std::vector<std::string> stop;
  int64_t threads = 0;
  std::string device = "auto";
  std::string precision = "auto";
};

struct PrefsGenerateResult {
  std::string set;
  int64_t set_id = 0;
  int64_t prompts = 0;          ///< prompts in the file (after --limit)
  int64_t prompts_done = 0;     ///< generated in this run
  int64_t prompts_already = 0;  ///< skipped: the set already holds this generation's pairs for them
  int64_t pairs_added = 0;
  int64_t duplicates = 0;      ///< made again but already stored
  int64_t identical = 0;       ///< A and B the same text: counted, not stored
  int64_t empty = 0;           ///< a side answered nothing at once: not stored
  int64_t too_long = 0;        ///< prompts that fill a model's context: skipped
  int64_t tokens = 0;          ///< generated, both sides
  double seconds = 0;          ///< generating (loading excluded)
  bool stopped = false;        ///< ended early on SIGINT/SIGTERM
  std::string generation_key;  ///< identifies these settings among the set's pairs
  double pairsPerMinute() const { return seconds > 0 ? 60.0 * static_cast<double>(pairs_added) / seconds : 0; }
  Json toJson() const;
};

/// Throws Error(InvalidInput) naming file:line for a bad prompt record, Error(InvalidConfig) for
/// bad options. Events (`prefs_progress` per prompt, then `result`) go to `console`.
PrefsGenerateResult generatePreferencePairs(const PrefsGenerateRequest& request, Console& console);

/// The prompts of `path`: a .txt file's non-empty lines, or the `prompt` (text) or `messages`
/// (list) of each record of a .jsonl/.json/.csv file (maybe .gz). Messages must not end with an
/// assistant message.
struct GenerationPrompt {
  std::string text;           ///< a text prompt
  std::string messages_json;  ///< or a conversation
  std::string source;         ///< file:line
};
std::vector<GenerationPrompt> readGenerationPrompts(const std::filesystem::path& path, int64_t limit);

}  // namespace temper
