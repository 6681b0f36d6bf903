#pragma once
/// `classify`: a label head on a base model, or a classifier trained further (classify_task.h).
#include "core/methods/method_spec.h"

namespace temper {

MethodSpec classifyMethod();

}  // namespace temper
