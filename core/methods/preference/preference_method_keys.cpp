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
