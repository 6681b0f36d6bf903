#include "core/methods/method_registry.h"

#include <algorithm>

#include "core/common/error.h"
#include "core/methods/classify/classify_method.h"
#include "core/methods/dpo/dpo_methods.h"
#include "core/methods/pretrain/pretrain_methods.h"
#include "core/methods/reward/reward_model_method.h"
#include "core/methods/rl/rl_methods.h"
#include "core/methods/sft/sft_method.h"

namespace temper {
namespace {

// A method of the mission that this engine cannot run yet: listed, so `info` and the wizard show
// what comes, and refused with its reason when asked for.
MethodSpec planned(std::string name, std::string title, std::string summary, std::vector<std::string> formats) {
  MethodSpec m;
  m.name = std::move(name);
  m.title = std::move(title);
  m.summary = std::move(summary);
  m.available = false;
  m.reason = "not in the engine yet";
  m.data_formats = std::move(formats);
  return m;
}

MethodRegistry builtIn() {
  MethodRegistry registry;
  registry.add(pretrainMethod());
  registry.add(continuedPretrainMethod());
  registry.add(sftMethod());
  registry.add(classifyMethod());
  registry.add(planned("few-shot", "Few-shot prompting",
                       "No training: examples in the prompt, scored on the same evaluation as trained runs, as the "
                       "baseline.",
                       {"prompt-completion", "alpaca", "messages", "text-label"}));
  registry.add(rewardModelMethod());
  registry.add(dpoMethod());
  registry.add(ktoMethod());
  registry.add(simpoMethod());
  registry.add(orpoMethod());
  registry.add(grpoMethod());
  registry.add(rlooMethod());
  registry.add(ppoMethod());
  return registry;
}

}  // namespace

bool MethodSpec::takesKey(const std::string& key) const {
  if (std::find(keys.begin(), keys.end(), key) != keys.end()) return true;
  return std::any_of(own_keys.begin(), own_keys.end(), [&](const KeySpec& k) { return k.key == key; });
}

void MethodRegistry::add(MethodSpec spec) {
  if (find(spec.name) != nullptr) throwConfigError("method `" + spec.name + "` is registered twice");
  if (spec.available && (spec.set_up == nullptr || spec.dry_run_shape == nullptr)) {
    throwConfigError("method `" + spec.name + "` is available but has no factory or dry-run shape");
  }
  methods_.push_back(std::move(spec));
}

const MethodSpec* MethodRegistry::find(const std::string& name) const {
  for (const auto& m : methods_) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const MethodSpec& MethodRegistry::require(const std::string& name) const {
  const MethodSpec* spec = find(name);
  if (spec != nullptr && spec->available) return *spec;
  std::string known;
  for (const auto& n : availableNames()) known += (known.empty() ? "" : ", ") + n;
  throwConfigError("method `" + name + "` is not in this engine" +
                   (spec != nullptr ? " yet (" + spec->reason + ")" : std::string()) + "; available: " + known);
}

std::vector<std::string> MethodRegistry::availableNames() const {
  std::vector<std::string> names;
  for (const auto& m : methods_) {
    if (m.available) names.push_back(m.name);
  }
  return names;
}

MethodRegistry& methodRegistry() {
  static MethodRegistry registry = builtIn();
  return registry;
}

}  // namespace temper
