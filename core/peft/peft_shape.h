#pragma once
/// What a PEFT choice trains, from a model's shape alone (the dry run loads no weights).
#include <vector>

#include "core/model/adaptable_linear.h"
#include "core/model/model_shape.h"
#include "core/peft/lora_options.h"

namespace temper {

/// The projections a model of `shape` has, named and sized as its family's adaptableLinears()
/// names them (layers left null).
std::vector<NamedLinear> projectionsOf(const ModelShape& shape);

/// Parameters LoRA with `options` trains on such a model: r·(in + out) per target (+ out for
/// DoRA's magnitude) and the biases `options.bias` trains. `modules_to_save` are not counted.
int64_t loraTrainableParameters(const ModelShape& shape, const LoraOptions& options);

}  // namespace temper
