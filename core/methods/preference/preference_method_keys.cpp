#include "core/methods/preference/preference_method_keys.h"

namespace temper {

std::vector<KeySpec> preferenceDataKeys() {
  return {
      {"min-agreement",
       KeyKind::Number,
       0.0,
       0,
       1,
       {},
       "data set:NAME: only pairs whose labellers agree at least this much (the share voting for the verdict)"},
      {"labeller", KeyKind::Text, "", 0, 0, {}, "data set:NAME: only this labeller's votes (empty: everyone's)"},
  };
}

KeySpec betaKey() {
  return {"beta",
          KeyKind::Number,
          0.1,
          0,
          1000,
          {},
          "dpo, kto: the KL penalty's inverse temperature; simpo: the reward scale; orpo: the odds-ratio weight λ "
          "(each needs beta > 0); grpo, rloo: the weight of the KL to the reference (0: none, no reference held)"};
}

PreferenceTaskDataSetup preferenceDataSetup(const MethodInputs& in) {
  const TrainConfig& c = in.config;
  PreferenceTaskDataSetup s;
  s.train.data = c.data;
  s.train.workspace = in.workspace.root.string();
  s.train.min_agreement = c.values.value("min-agreement", 0.0);
  s.train.labeller = c.values.value("labeller", std::string());
  s.val_data = c.val_data;
  s.val_fraction = c.val_fraction;
  s.seed = static_cast<uint64_t>(c.seed);
  s.chat_template = c.chat_template == "auto" ? "" : c.chat_template;
  return s;
}

}  // namespace temper
