#pragma once
/// `dpo` (with `dpo-loss` sigmoid, ipo, hinge, robust), `kto`, `simpo` and `orpo`: a policy learns
/// from preference pairs directly (pair_preference_task.h).
#include "core/methods/method_spec.h"

namespace temper {

MethodSpec dpoMethod();
MethodSpec ktoMethod();
MethodSpec simpoMethod();
MethodSpec orpoMethod();

}  // namespace temper
