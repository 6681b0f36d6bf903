#pragma once
/// How much memory a training run will take, computed from shapes before anything is allocated
/// (`temper train --dry-run`, the run record). Torch-free: plain arithmetic on the model's shape.
///
/// What is counted (bytes):
///   weights      every parameter once (a tied head once) × `weight_bytes`
///   gradients    trainable parameters × 4 (gradients are fp32, in FlatAdamW's flat buffers)
///   optimizer    trainable parameters × 8 (AdamW's exp_avg and exp_avg_sq in fp32)
///   activations  what autograd keeps from the forward pass for the backward pass, plus the
///                logits that exist beside the loss's gradient at the end of the forward (the peak);
///                the per-block terms are listed in the .cpp and docs/cli.md ("Memory estimate").
/// Not counted: the process itself (LibTorch's code and allocator caches, ~200-300 MB of RSS), the
/// data loader's buffers, and short-lived temporaries of a single kernel.
#include <cstdint>
#include <string>

#include "core/common/json_io.h"

namespace temper {

/// The shape of a decoder-only model, family by family (GPT-2: LayerNorm with bias, learned
/// positions, fused qkv, GELU MLP; Llama family: RMSNorm, rotary positions, GQA, SwiGLU MLP).
struct ModelShape {
  std::string family = "gpt2";  ///< "gpt2" or "llama"
  int64_t layers = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;      ///< 0: heads (GPT-2 always)
  int64_t head_dim = 0;      ///< 0: hidden / heads
  int64_t intermediate = 0;  ///< MLP width; 0: 4 × hidden (GPT-2's default)
  int64_t vocab = 0;
  int64_t ctx = 0;       ///< context length (GPT-2's learned position table has this many rows)
  bool tied = true;      ///< head shares the token embedding
  bool qkv_bias = true;  ///< GPT-2 `bias`; Llama `attention_bias`; Qwen2 true
  bool o_bias = true;    ///< GPT-2 `bias`; Llama `attention_bias`; Qwen2 false
  bool mlp_bias = true;  ///< GPT-2 `bias`; Llama `mlp_bias`

  int64_t kvHeads() const { return kv_heads > 0 ? kv_heads : heads; }
  int64_t headDim() const { return head_dim > 0 ? head_dim : (heads > 0 ? hidden / heads : 0); }
  int64_t mlpWidth() const { return intermediate > 0 ? intermediate : 4 * hidden; }
  /// Throws Error(InvalidConfig) naming the field for a non-positive size or an unknown family.
  void validate() const;
};

/// What is trained and on what batch.
struct TrainShape {
  int64_t trainable_parameters = -1;  ///< -1: every parameter (full finetune / pretraining)
  /// Blocks, counted from the last, through which autograd records the forward (a model frozen
  /// except its last N blocks records only those); -1: all of them. Methods that train something
  /// in every block (LoRA, adapters) or before the first (prompt tuning) record all.
  int64_t recorded_blocks = -1;
  int64_t batch_size = 1;        ///< sequences per micro-batch (gradient accumulation does not add memory)
  int64_t seq_len = 0;           ///< tokens per sequence; 0: the model's context
  int64_t weight_bytes = 4;      ///< bytes per stored weight (fp32 on the CPU)
  int64_t activation_bytes = 4;  ///< bytes per saved activation element (fp32 on the CPU)
  std::string device = "cpu";
};

struct MemoryEstimate {
  int64_t parameters = 0;
  int64_t trainable_parameters = 0;
  int64_t weights = 0;
  int64_t gradients = 0;
  int64_t optimizer = 0;
  int64_t activations = 0;        ///< saved_activations + the logits' transient peak
  int64_t saved_activations = 0;  ///< held by autograd between the end of the forward and the backward
  int64_t total = 0;
  std::string device = "cpu";

  /// {"parameters", "trainable_parameters", "bytes": {"weights", "gradients", "optimizer",
  /// "activations", "total"}, "device"}: the contract of `temper train --dry-run --json`.
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
