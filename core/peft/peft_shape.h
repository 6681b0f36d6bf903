#pragma once
/// What a PEFT choice trains, from a model's shape alone (the dry run loads no weights).
#include <vector>

#include "core/model/adaptable_linear.h"
#include "core/model/model_shape.h"
#include "core/peft/peft_choice.h"

namespace temper {

/// The projections a model of `shape` has, named and sized as its family's adaptableLinears()
/// names them (layers left null).
std::vector<NamedLinear> projectionsOf(const ModelShape& shape);

/// Parameters LoRA with `options` trains on such a model: r·(in + out) per target (+ out for
/// DoRA's magnitude) and the biases `options.bias` trains. `modules_to_save` are not counted.
int64_t loraTrainableParameters(const ModelShape& shape, const LoraOptions& options);

/// Per token, summed over the blocks: the widths of the projection inputs autograd need not keep
/// under `peft`, because the projections reading them are frozen and no adapter reads them. Blocks
/// share inputs by group (attention's q|k|v, its output projection, the MLP's gate|up, its down
/// projection), so a group counts only when none of its projections is adapted. 0 for `none`, and
/// for LoRA with `modules_to_save` (a module trained in place may need its input).
int64_t unsavedInputWidth(const ModelShape& shape, const PeftChoice& peft);

/// Blocks autograd records under `peft`, from the last (TrainShape::recorded_blocks): bottleneck
/// adapters leave the blocks before their first one unrecorded (nothing there leads to a trained
/// tensor), and that block's body too when the first sits after the MLP or beside it. -1 (all)
/// for the other kinds, which train something at or before the first block's projections.
int64_t recordedBlocksUnder(const ModelShape& shape, const PeftChoice& peft);

/// Per token, over all adapters: what bottleneck adapters keep themselves (each its input, C, and
/// the bottleneck's two activations, 2 × C / reduction). 0 for the other kinds.
int64_t adapterSavedWidth(const ModelShape& shape, const PeftChoice& peft);

}  // namespace temper
