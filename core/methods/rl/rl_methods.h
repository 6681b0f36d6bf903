#pragma once
/// `grpo`, `rloo` and `ppo`: a policy learns online from rewards (rule rewards and/or a reward
/// model) on completions it samples itself: in groups (group_policy_task.h), or one per prompt
/// with a value head (ppo_task.h).
#include "core/methods/method_spec.h"

namespace temper {

MethodSpec grpoMethod();
MethodSpec rlooMethod();
MethodSpec ppoMethod();

}  // namespace temper
