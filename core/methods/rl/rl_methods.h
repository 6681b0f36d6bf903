#pragma once
/// `grpo` and `rloo`: a policy learns online from rewards (rule rewards and/or a reward model) on
/// groups of completions it samples itself (group_policy_task.h).
#include "core/methods/method_spec.h"

namespace temper {

MethodSpec grpoMethod();
MethodSpec rlooMethod();

}  // namespace temper
