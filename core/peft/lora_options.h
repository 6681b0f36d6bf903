#pragma once
/// LoRA's settings, as the `lora-*` train keys and PEFT's LoraConfig both describe them. Torch-free.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/json_io.h"

namespace temper {

struct LoraOptions {
  int64_t r = 8;
  double alpha = 16;  ///< lora_alpha; the train key defaults to 2 × r
  double dropout = 0;
  /// A preset (attention-qv, attention, all-linear), a comma list of module names (a name matches
  /// a module whose path equals it or ends in "." + it, as PEFT's list does) or a regular
  /// expression over the whole module path (as PEFT's string does). target_match.h.
  std::string targets = "attention-qv";
  bool rslora = false;        ///< scaling alpha / √r instead of alpha / r
  bool dora = false;          ///< weight-decomposed LoRA (PEFT's use_dora)
  std::string bias = "none";  ///< none | lora-only | all: which base biases train with the adapter
  /// Base modules trained in full and saved with the adapter (Hugging Face module paths or names).
  std::vector<std::string> modules_to_save;
  /// LoRA+ (Hayou et al. 2024, PEFT's create_loraplus_optimizer): B learns at this multiple of the
  /// learning rate; 1 is plain LoRA. A training setting: not part of the adapter on disk.
  double loraplus_lr_ratio = 1;

  double scaling() const { return rslora ? alpha / std::sqrt(static_cast<double>(r)) : alpha / static_cast<double>(r); }
};

}  // namespace temper
