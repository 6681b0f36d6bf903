#pragma once
/// How much memory a training run will take, computed from shapes before anything is allocated
/// (`temper train --dry-run`, the run record). Torch-free: plain arithmetic on the model's shape.
///
/// What is counted (bytes):
///   weights      every parameter once (a tied head once) × `weight_bytes`
///   gradients    trainable parameters × 4 (gradients are fp32, in FlatAdamW's flat buffers)
///   optimizer    trainable parameters × 8 (AdamW's exp_avg and exp_avg_sq in fp32)
///   frozen_models  models held frozen beside the trained one (the preference and online methods'
///                reference copy with full weights, a reward model), × 4 (fp32 as loaded)
///   activations  what autograd keeps from the forward pass for the backward pass, plus the
///                logits that exist beside the loss's gradient at the end of the forward (the peak);
///                the per-block terms are listed in the .cpp and docs/cli.md ("Memory estimate").
/// Not counted: the process itself (LibTorch's code and allocator caches, ~200-300 MB of RSS), the
/// data loader's buffers, and short-lived temporaries of a single kernel.
#include <cstdint>
#include <string>

#include "core/common/json_io.h"
#include "core/model/model_shape.h"

namespace temper {

/// What is trained and on what batch.
struct TrainShape {
  int64_t trainable_parameters = -1;  ///< -1: every parameter (full finetune / pretraining)
  /// Blocks, counted from the last, through which autograd records the forward (a model frozen
  /// except its last N blocks records only those); -1: all of them. Methods that train something
  /// in every block (LoRA, adapters) or before the first (prompt tuning) record all.
  int64_t recorded_blocks = -1;
  /// Per token, summed over the blocks: inputs of frozen projections no adapter reads, which
  /// autograd does not keep (peft_shape.h unsavedInputWidth).
  int64_t unsaved_input_width = 0;
  /// Per token: what adapters between the blocks' sublayers keep (peft_shape.h adapterSavedWidth).
  int64_t adapter_saved_width = 0;
  int64_t batch_size = 1;    ///< sequences per micro-batch (gradient accumulation does not add memory)
  int64_t seq_len = 0;       ///< tokens per sequence; 0: the model's context
  int64_t weight_bytes = 4;  ///< bytes per stored weight (fp32 on the CPU)
  /// Weights stored quantised instead (QLoRA's frozen projections) and their bytes each.
  int64_t quantized_parameters = 0;
  double quantized_bytes_per_parameter = 0;
  /// Weights stored in 16 bits instead (QLoRA's frozen embedding and head, 2 bytes each).
  int64_t half_parameters = 0;
  /// The output head does not train (an adapter's run on the CPU): the loss makes its logits in
  /// chunks and keeps the hidden states' gradient (NC) instead of the logits' (NV)
  /// (kernels::frozenHeadCrossEntropy).
  bool frozen_head = false;
  int64_t activation_bytes = 4;         ///< bytes per saved activation element (fp32 on the CPU)
  bool gradient_checkpointing = false;  ///< blocks keep their input only and are recomputed
  /// Parameters of frozen models held beside the trained one (a reference copy, a reward model).
  int64_t frozen_model_parameters = 0;
  std::string device = "cpu";
};

struct MemoryEstimate {
  int64_t parameters = 0;
  int64_t trainable_parameters = 0;
  int64_t weights = 0;
  int64_t gradients = 0;
  int64_t optimizer = 0;
  int64_t frozen_models = 0;      ///< TrainShape::frozen_model_parameters × 4
  int64_t activations = 0;        ///< saved_activations + the logits' transient peak
  int64_t saved_activations = 0;  ///< held by autograd between the end of the forward and the backward
  int64_t total = 0;
  std::string device = "cpu";

  /// {"parameters", "trainable_parameters", "bytes": {"weights", "gradients", "optimizer",
  /// "frozen_models", "activations", "total"}, "device"}: the contract of `temper train --dry-run
  /// --json` (`frozen_models` only when there are any).
  Json toJson() const;
};

/// Parameters of `shape`, a tied head counted once (equals the models' own parameterCount()).
int64_t parameterCount(const ModelShape& shape);

/// Elements autograd saves for the backward pass of one training micro-batch (see the .cpp for the
/// tensor-by-tensor list of Temper's GPT-2 and Llama implementations on the CPU path).
int64_t savedActivationElements(const ModelShape& shape, const TrainShape& train);

/// Throws Error(InvalidConfig) for invalid shapes, a trainable count above the total, or a
/// sequence longer than the context.
MemoryEstimate estimateTrainingMemory(const ModelShape& shape, const TrainShape& train);

}  // namespace temper
