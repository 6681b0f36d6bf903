#include "core/engine/dry_run.h"

#include <algorithm>

namespace temper {

Json dryRun(const MethodInputs& inputs, const RuntimeInfo& runtime) {
  const TrainConfig& config = inputs.config;
  const MethodShape shape = methodShape(inputs);
  TrainShape train;
  train.batch_size = config.batch_size;
  train.seq_len = config.ctx > 0 ? std::min(config.ctx, shape.model.ctx) : shape.model.ctx;
  train.device = runtime.device;
  train.trainable_parameters = shape.trainable_parameters;
  train.recorded_blocks = shape.recorded_blocks;
  train.unsaved_input_width = shape.unsaved_input_width;
  train.adapter_saved_width = shape.adapter_saved_width;
  train.gradient_checkpointing = config.gradient_checkpointing;
  train.quantized_parameters = shape.quantized_parameters;
  train.quantized_bytes_per_parameter = shape.quantized_bytes_per_parameter;
  train.half_parameters = shape.half_parameters;
  train.frozen_head = shape.frozen_head;
  train.frozen_model_parameters = shape.frozen_model_parameters;
  MemoryEstimate estimate = estimateTrainingMemory(shape.model, train);
  const std::string base = inputs.base ? inputs.base->dir.string() : "scratch";
  return Json{{"method", config.method},
              {"base", base},
              {"seq_len", train.seq_len},
              {"batch_size", train.batch_size},
              {"estimate", estimate.toJson()}};
}

}  // namespace temper
