#include "core/train/memory_estimate.h"

#include <algorithm>

#include "core/common/error.h"
#include "core/model/kernels/loss_chunk.h"

namespace temper {

int64_t parameterCount(const ModelShape& s) {
  const int64_t c = s.hidden, i = s.mlpWidth(), v = s.vocab;
  const int64_t q = s.heads * s.headDim(), k = s.kvHeads() * s.headDim();
  int64_t block = 0, outside = 0;
  if (s.family == "gpt2") {
    // ln_1, ln_2 (weight + bias), c_attn (C -> 3C), c_proj (C -> C), c_fc (C -> I), mlp.c_proj (I -> C).
    block = 4 * c + c * 3 * c + c * c + c * i + i * c;
    if (s.qkv_bias) block += 3 * c;
    if (s.o_bias) block += c;
    if (s.mlp_bias) block += i + c;
    outside = v * c + s.ctx * c + 2 * c;  // wte, wpe, ln_f
  } else {
    // Two RMSNorm weights, q/k/v/o projections, gate/up/down projections.
    block = 2 * c + c * q + 2 * c * k + q * c + 3 * c * i;
    if (s.qkv_bias) block += q + 2 * k;
    if (s.o_bias) block += c;
    if (s.mlp_bias) block += 2 * i + c;
    outside = v * c + c;  // embed_tokens, norm
  }
  if (!s.tied) outside += v * c;
  return s.layers * block + outside;
}

// Elements autograd keeps, tensor by tensor, for Temper's training paths (dropout 0). N = batch ×
// seq tokens, C hidden, I MLP width, H heads, T seq, Q = H × head_dim. LibTorch saves an operand
// only when the other operand's gradient needs it, so products with constant tables (RoPE's
// cos/sin) keep nothing of the activations.
//
// GPT-2 block (the fused causal attention of cpu_attention.h on the CPU): ln_1 input (NC) + mean
// and rstd (2N); c_attn input = ln_1 output (NC); the attention function keeps c_attn's output qkv
// (3NC) and the probabilities (B·H·T²); c_proj input (NC); ln_2 input (NC) + 2N; c_fc input (NC);
// GELU keeps dy/dx (NI); mlp.c_proj input (NI).
//   = 8NC + 2NI + 4N + B·H·T²
// Llama block on the CPU (the fused kernels of llama_kernels.h): each RMSNorm keeps its input (NC)
// and 1/rms (N), and its output is kept by the projections after it (NC); the RoPE/pack kernel
// keeps only the cos/sin tables; attention keeps the packed q|k|v with the kv heads repeated (3NQ),
// the probabilities (B·H·T²) and o_proj's input (NQ); the SwiGLU kernel keeps gate and up (2NI)
// and down_proj's input is its output (NI).
//   = 4NC + 2N + 4NQ + 3NI + B·H·T²
// Llama block on the eager path (other devices): each RMSNorm also keeps x·rsqrt (NC), and the MLP
// keeps silu(gate) (NI) for the product.
//   = 6NC + 2N + 4NQ + 4NI + B·H·T²
// Outside the blocks: the final norm (GPT-2: 2NC + 2N; Llama: 2NC + N fused, 3NC + N eager), and
// the cross-entropy keeps its gradient over the logits (NV); with a frozen head on the CPU the loss
// makes the logits in chunks of R rows and keeps the hidden states' gradient (NC) instead, the
// chunk's logits and their gradient (2RV) its transient peak.
// Under a PEFT adapter the base is frozen: a projection that no adapter reads keeps no input
// (LibTorch saves an operand only for the other's gradient), so its input's width comes off each
// block (GPT-2: c_attn's, c_proj's and c_fc's NC, mlp.c_proj's NI; Llama: the two normed inputs NC,
// o_proj's NQ, down_proj's NI), and what the adapter itself keeps is small beside it.
// Checked against the bytes autograd really holds (tests/core/engine/memory_estimate_test.cpp).
//
// With gradient checkpointing (core/model/block_checkpoint.h) a recorded block keeps only its input
// (NC) until the backward pass, which recomputes one block at a time: its full count above then
// exists once, beside the other blocks' inputs, while the logits are gone.
namespace {

bool chunkedLoss(const TrainShape& t) { return t.frozen_head && t.device == "cpu"; }

struct ActivationTerms {
  int64_t block = 0;    ///< one recorded block, everything kept (on average, under an adapter)
  int64_t input = 0;    ///< one block's input (what a checkpointed block keeps)
  int64_t outside = 0;  ///< final norm
  int64_t loss = 0;     ///< the cross-entropy's gradient over the logits
  int64_t recorded = 0;
};

ActivationTerms activationTerms(const ModelShape& s, const TrainShape& t) {
  const int64_t seq = t.seq_len > 0 ? t.seq_len : s.ctx;
  const int64_t n = t.batch_size * seq, c = s.hidden, i = s.mlpWidth(), v = s.vocab;
  const int64_t q = s.heads * s.headDim();
  const int64_t probs = t.batch_size * s.heads * seq * seq;
  int64_t block = 0, outside = 0;
  if (s.family == "gpt2") {
    block = 8 * n * c + 2 * n * i + 4 * n + probs;
    outside = 2 * n * c + 2 * n;
  } else if (t.device == "cpu") {
    block = 4 * n * c + 2 * n + 4 * n * q + 3 * n * i + probs;
    outside = 2 * n * c + n;
  } else {
    block = 6 * n * c + 2 * n + 4 * n * q + 4 * n * i + probs;
    outside = 3 * n * c + n;
  }
  const int64_t recorded = t.recorded_blocks < 0 ? s.layers : std::min(t.recorded_blocks, s.layers);
  // Under an adapter every block is recorded, but the frozen projections no adapter reads keep
  // no input: spread over the blocks, as the checkpointed peak counts one block.
  if (t.unsaved_input_width > 0 && s.layers > 0) block -= n * t.unsaved_input_width / s.layers;
  // Bottleneck adapters keep their own inputs and bottleneck activations (inside the blocks, so a
  // checkpointed pass holds them only while it recomputes a block).
  if (!t.gradient_checkpointing) outside += n * t.adapter_saved_width;
  const int64_t loss = chunkedLoss(t) ? n * c : n * v;
  return ActivationTerms{block, n * c, outside, loss, recorded};
}

}  // namespace

int64_t savedActivationElements(const ModelShape& s, const TrainShape& t) {
  const ActivationTerms a = activationTerms(s, t);
  return a.recorded * (t.gradient_checkpointing ? a.input : a.block) + a.outside + a.loss;
}

MemoryEstimate estimateTrainingMemory(const ModelShape& shape, const TrainShape& train) {
  shape.validate();
  if (train.batch_size <= 0)
    throwConfigError("`batch-size` is " + std::to_string(train.batch_size) + "; expected a positive number");
  if (train.seq_len < 0 || train.seq_len > shape.ctx) {
    throwConfigError("sequence length " + std::to_string(train.seq_len) + " is outside 1 to the model's context " +
                     std::to_string(shape.ctx));
  }
  if (train.weight_bytes <= 0 || train.activation_bytes <= 0) {
    throwConfigError("bytes per weight and per activation must be positive");
  }
  MemoryEstimate e;
  e.device = train.device;
  e.parameters = parameterCount(shape);
  e.trainable_parameters = train.trainable_parameters < 0 ? e.parameters : train.trainable_parameters;
  if (e.trainable_parameters > e.parameters) {
    throwConfigError("trainable parameters " + std::to_string(e.trainable_parameters) + " exceed the model's " +
                     std::to_string(e.parameters));
  }
  const int64_t seq = train.seq_len > 0 ? train.seq_len : shape.ctx;
  const int64_t quantized = std::min(train.quantized_parameters, e.parameters);
  const int64_t half = std::min(train.half_parameters, e.parameters - quantized);
  e.weights = (e.parameters - quantized - half) * train.weight_bytes + half * 2 +
              static_cast<int64_t>(static_cast<double>(quantized) * train.quantized_bytes_per_parameter);
  e.gradients = e.trainable_parameters * 4;
  e.optimizer = e.trainable_parameters * 8;
  e.saved_activations = savedActivationElements(shape, train) * train.activation_bytes;
  // At the end of the forward the logits and the loss's gradient over them both exist (a chunk of
  // rows of each under a frozen head).
  const int64_t tokens = train.batch_size * seq;
  const int64_t logits_peak = chunkedLoss(train) ? 2 * std::min(tokens, kernels::lossChunkRows(shape.vocab)) *
                                                       shape.vocab * train.activation_bytes
                                                 : tokens * shape.vocab * train.activation_bytes;
  e.activations = e.saved_activations + logits_peak;
  if (train.gradient_checkpointing) {
    // The backward pass's peak: the blocks' inputs and one block recomputed in full.
    const ActivationTerms a = activationTerms(shape, train);
    if (a.recorded > 0)
      e.activations = std::max(e.activations, (a.recorded * a.input + a.block) * train.activation_bytes);
  }
  if (e.trainable_parameters == 0) e.activations = 0;
  if (e.trainable_parameters == 0) e.saved_activations = 0;
  e.frozen_models = train.frozen_model_parameters * 4;
  e.total = e.weights + e.gradients + e.optimizer + e.frozen_models + e.activations;
  return e;
}

Json MemoryEstimate::toJson() const {
  Json json{{"parameters", parameters},
            {"trainable_parameters", trainable_parameters},
            {"bytes",
             {{"weights", weights},
              {"gradients", gradients},
              {"optimizer", optimizer},
              {"activations", activations},
              {"total", total}}},
            {"device", device}};
  if (frozen_models > 0) json["bytes"]["frozen_models"] = frozen_models;
  return json;
}

}  // namespace temper
