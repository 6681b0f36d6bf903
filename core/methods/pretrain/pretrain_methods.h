#pragma once
/// The two next-token methods over a packed token file (pretrain_task.h): `pretrain`, a GPT built
/// from scratch on a prepared dataset and its tokenizer, and `continued-pretrain`, a base model
/// reading more raw text of a domain.
#include "core/methods/method_spec.h"

namespace temper {

MethodSpec pretrainMethod();
MethodSpec continuedPretrainMethod();

}  // namespace temper
