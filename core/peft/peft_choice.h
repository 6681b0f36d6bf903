#pragma once
/// What a run trains: every weight (`none`) or a parameter-efficient adapter on the frozen base,
/// with the kind's options (the `peft` train key and its keys). Torch-free.
#include <string>

#include "core/peft/lora_options.h"

namespace temper {

struct PeftChoice {
  std::string kind = "none";  ///< none | lora
  LoraOptions lora;

  bool adapter() const { return kind != "none"; }
};

}  // namespace temper
