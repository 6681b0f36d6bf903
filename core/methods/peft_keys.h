#pragma once
/// The `peft` train key and the keys of each PEFT kind (`lora-*`, ...): one table, read by the
/// config (train_config_keys.cpp), and turned into a PeftChoice for the method. Which methods take
/// a kind is their MethodSpec's `peft` list.
#include <string>
#include <vector>

#include "core/methods/train_config.h"
#include "core/peft/peft_choice.h"

namespace temper {

/// A value of the `peft` key as `temper info` lists it (the wizard's "What is trained" page).
struct PeftKindInfo {
  std::string name;
  std::string title;
  std::string summary;  ///< one sentence: when to use it
  bool available = true;
  std::string reason;  ///< why not, when unavailable
};
/// Every kind the mission promises, in the wizard's order; the ones not built yet say so.
const std::vector<PeftKindInfo>& peftKinds();

/// `peft` and every kind's keys.
const std::vector<KeySpec>& peftKeySpecs();
/// The PEFT kind a key belongs to ("lora" for `lora-r`), "" for `peft` itself and other keys.
std::string peftKindOfKey(const std::string& key);
/// The config's choice, with a kind's defaults that depend on other keys (lora-alpha = 2 × r).
PeftChoice peftChoice(const TrainConfig& config);

}  // namespace temper
