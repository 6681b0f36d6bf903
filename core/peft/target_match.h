#pragma once
/// Which projections of a model LoRA targets: presets by role (attention-qv, attention,
/// all-linear), or PEFT's own `target_modules` rules — a list of names, each matching a module
/// path equal to it or ending in "." + it, or one regular expression matched against the whole
/// path. A list entry or a regex that matches nothing is an error naming it, as PEFT refuses it.
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/model/adaptable_linear.h"

namespace temper {

/// PEFT's list rule: `path` is the module `name`, or ends in "." + `name`.
bool moduleNameMatches(const std::string& path, const std::string& name);

struct TargetSpec {
  enum class Kind { Preset, List, Regex } kind = Kind::Preset;
  std::string preset;              ///< attention-qv | attention | all-linear
  std::vector<std::string> names;  ///< Kind::List
  std::string regex;               ///< Kind::Regex
};

/// The `lora-targets` key: a preset name, else a regex when it has regex syntax beyond dots
/// (`*+?()[]{}|^$\`), else a comma list. Throws Error(InvalidConfig) for an empty list or a
/// regex that does not compile.
TargetSpec parseTargetSpec(const std::string& text);
/// adapter_config.json's `target_modules` (a list or a regex string); `source` names the file.
TargetSpec targetSpecFromJson(const Json& value, const std::string& source);

/// Indices into `linears` that `spec` selects, in model order. Throws Error(InvalidConfig) naming
/// the entries that match no module (and the module names there are) when nothing or part of a
/// list matches.
std::vector<size_t> matchTargets(const TargetSpec& spec, const std::vector<NamedLinear>& linears);

/// `target_modules` as PEFT writes it for the same choice: for a regex, the regex; otherwise the
/// shortest name suffixes that select exactly the chosen modules in PEFT's list matching
/// (GPT-2 attention: ["c_attn", "attn.c_proj"]; Llama attention-qv: ["q_proj", "v_proj"]).
Json targetModulesJson(const TargetSpec& spec, const std::vector<NamedLinear>& linears,
                       const std::vector<size_t>& chosen);

}  // namespace temper
