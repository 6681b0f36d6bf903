#pragma once
/// What a run trains: every weight (`none`) or a parameter-efficient adapter on the frozen base,
/// with the kind's options (the `peft` train key and its keys). Torch-free.
#include <string>

#include "core/peft/bottleneck_options.h"
#include "core/peft/lora_options.h"
#include "core/peft/prefix_tuning_options.h"
#include "core/peft/prompt_tuning_options.h"

namespace temper {

struct PeftChoice {
  std::string kind = "none";  ///< none | lora | adapters | prompt-tuning | prefix-tuning
  LoraOptions lora;
  BottleneckOptions adapters;
  PromptTuningOptions prompt;
  PrefixTuningOptions prefix;
  /// QLoRA: how the frozen base's projections are stored (none | int8 | nf4, core/quant) and
  /// whether their scales are quantised too.
  std::string base_quant = "none";
  bool base_quant_double = true;

  bool adapter() const { return kind != "none"; }
  /// Positions the kind takes before every sequence (a soft prompt's or a prefix's).
  int64_t virtualTokens() const {
    if (kind == "prompt-tuning") return prompt.tokens;
    return kind == "prefix-tuning" ? prefix.tokens : 0;
  }
};

}  // namespace temper
