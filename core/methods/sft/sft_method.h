#pragma once
/// `sft`: supervised finetuning on instruction, chat or prompt-completion records (sft_task.h).
#include "core/methods/method_spec.h"

namespace temper {

MethodSpec sftMethod();

}  // namespace temper
