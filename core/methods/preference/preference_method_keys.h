#pragma once
/// What the pairwise preference methods (reward model, DPO family) share in their specs: the keys
/// that choose among a store set's labels, and the data setup read from a train config.
#include <vector>

#include "core/methods/method_setup.h"
#include "core/methods/preference/preference_task_data.h"

namespace temper {

/// `min-agreement` and `labeller` (own keys of each preference method; only for `data` set:NAME).
std::vector<KeySpec> preferenceDataKeys();

/// `beta`, which the DPO family, GRPO and RLOO read, each with its own default.
KeySpec betaKey();

/// The data half of a preference task's setup from the config: `data`, `val-data`,
/// `val-fraction`, `seed`, `chat-template`, the two keys above, and the workspace of set:NAME.
/// max_tokens and the tokenizer are the task's to fill (they depend on the loaded model).
PreferenceTaskDataSetup preferenceDataSetup(const MethodInputs& inputs);

}  // namespace temper
