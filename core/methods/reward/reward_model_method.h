#pragma once
/// `reward-model`: a scalar head trained on preference pairs (reward_model_task.h).
#include "core/methods/method_spec.h"

namespace temper {

MethodSpec rewardModelMethod();

}  // namespace temper
