#pragma once
/// The keys of `temper train`: one table (train_config_keys.cpp) plus the keys methods define
/// (method_spec.h) drives the config file, the `--KEY VALUE` flags, their validation and their help
/// text, so the three never disagree. Which method takes which key, and method defaults, come from
/// the method registry (method_registry.h).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/json_io.h"

namespace temper {

enum class KeyKind { Integer, Number, Text, Choice, Boolean };

struct KeySpec {
  std::string key;  ///< kebab-case, as on the command line
  KeyKind kind;
  Json default_value;  ///< null when there is no default (optional or required key)
  double min = 0;      ///< inclusive bounds for Integer and Number
  double max = 0;
  std::vector<std::string> choices;
  std::string help;
};

/// The shared table, then the keys registered methods define (in registry order).
std::vector<KeySpec> trainKeySpecs();
/// The available methods a key applies to; empty: every method. Giving a key another method ignores
/// is an error (it would silently do nothing).
std::vector<std::string> keyMethods(const std::string& key);
/// Defaults that differ by method (finetuning: small lr, short warmup, ...), applied to the keys
/// neither the config file nor a flag gives. Empty for an unknown method.
std::map<std::string, Json> methodDefaults(const std::string& method);

struct TrainConfig {
  std::string method;
  std::string base;  ///< model folder to start from (every method but pretrain)
  std::string data;
  std::string val_data;
  double val_fraction = 0.1;
  std::string ext;
  std::string response_template;
  std::string chat_template;  ///< "auto" or a family name
  bool packing = false, drop_long = false;
  int64_t train_last_blocks = -1;
  std::string name;
  std::string preset;  ///< empty when the shape is given by layers/dim/heads/ctx
  int64_t layers = 0, dim = 0, heads = 0, ctx = 0;
  int64_t batch_size = 0, grad_accum = 0, max_steps = 0, warmup_steps = 0;
  double lr = 0, min_lr = 0, weight_decay = 0, beta1 = 0, beta2 = 0, grad_clip = 0, dropout = 0;
  bool bias = true;
  int64_t eval_every = 0, eval_batches = 0, checkpoint_every = 0;
  int64_t seed = 0, threads = 0;
  std::string device;
  std::string precision;                ///< "auto", "fp32" or "bf16" (compute_precision.h)
  bool gradient_checkpointing = false;  ///< recompute each block in the backward pass (block_checkpoint.h)
  std::string peft;                     ///< what is trained: "none" (every weight) or an adapter kind (peft_keys.h)
  int64_t sample_tokens = 0;
  std::vector<std::string> sample_prompts;
  /// Every key's resolved value (kebab-case): how a method reads the keys it defines itself.
  Json values = Json::object();

  Json toJson() const;  ///< every key, kebab-case: what is stored with the run
};

/// Merges defaults <- config file <- flags and validates every value together before any work
/// starts. `flags` maps keys (kebab- or snake-case) to their command-line text. Throws
/// Error(InvalidConfig) naming the key, where it came from, and the allowed range or choices.
TrainConfig resolveTrainConfig(const std::optional<std::filesystem::path>& config_file,
                               const std::map<std::string, std::string>& flags);
/// Rebuilds a config stored with a run (for resume), applying `overrides` (e.g. a new max-steps).
TrainConfig trainConfigFromJson(const Json& stored, const std::map<std::string, std::string>& overrides);

}  // namespace temper
