#pragma once
/// What a run trains: every weight (`none`) or a parameter-efficient adapter on the frozen base,
/// with the kind's options (the `peft` train key and its keys). Torch-free.
#include <string>

#include "core/peft/bottleneck_options.h"
#include "core/peft/lora_options.h"
#include "core/peft/prompt_tuning_options.h"

namespace temper {

struct PeftChoice {
  std::string kind = "none";  ///< none | lora | adapters | prompt-tuning
  LoraOptions lora;
  BottleneckOptions adapters;
  PromptTuningOptions prompt;

  bool adapter() const { return kind != "none"; }
  /// Positions the kind takes before every sequence (prompt tuning's virtual tokens).
  int64_t virtualTokens() const { return kind == "prompt-tuning" ? prompt.tokens : 0; }
};

}  // namespace temper
