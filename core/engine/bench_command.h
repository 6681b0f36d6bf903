#pragma once
/// `temper bench train`: training throughput of the architecture and optimizer of
/// ../shared/bench/reference_gpt.py (GPT-2 with biases, tied head, AdamW lr 3e-4, betas
/// 0.9/0.95, wd 0.1, clip 1.0) on random ids, measured like the peer: 3 warmup steps, then the
/// median step time. FLOPs per token as the peer counts them: 6N + 12·L·d·T. The JSON line also
/// says the method, the trainable parameters and the process's peak RSS, as the peer's does, and
/// the peak RSS of the training steps alone (Linux: the high-water mark is reset before them, so
/// building the full-precision model before quantising it does not count there).
#include <string>

#include "core/common/json_io.h"

namespace temper {

struct BenchTrainRequest {
  int64_t layers = 4, dim = 256, heads = 4, ctx = 256, vocab = 4096, batch = 8, steps = 20, warmup = 3;
  int64_t threads = 0;
  /// gpt2 (the peer's model) or llama: RMSNorm, RoPE, SwiGLU of width `intermediate` (0: 8/3 ×
  /// dim rounded to 64) and `kv_heads` key/value heads (0: as many as heads; fewer is GQA),
  /// untied head. A Llama-shaped model of a size near the GPT-2 one, for PEFT's ratios.
  std::string family = "gpt2";
  int64_t kv_heads = 0, intermediate = 0;
  uint64_t seed = 0;
  std::string device = "cpu";
  std::string precision = "auto";  ///< the `precision` train key: auto, fp32 or bf16
  /// Parameter-efficient variants, as the peer's flags: LoRA of rank `lora_r` (0: off) on `qkv`
  /// (c_attn, PEFT's GPT-2 default) or `all-linear`, alpha 0 meaning 2 × r. The base is frozen.
  int64_t lora_r = 0;
  double lora_alpha = 0;
  std::string lora_targets = "qkv";
  /// Prompt tuning with this many virtual tokens (0: off); the model's context is ctx + N, as the
  /// peer builds it.
  int64_t prompt_tokens = 0;
  /// Bottleneck adapters after every MLP with this reduction factor (0: off).
  int64_t adapter_reduction = 0;
  /// Recompute each block in the backward pass (the `gradient-checkpointing` train key).
  bool gradient_checkpointing = false;
  /// QLoRA's frozen base: none, int8 or nf4 (double-quantised scales) for every projection, quantised
  /// before the adapter is attached. Only with a parameter-efficient method (the base must be frozen).
  std::string base_quant = "none";
  /// Keep a frozen base's weights as loaded (fp32) under bf16 autocast instead of storing them in
  /// bf16 as training does: the A/B of docs/peft.md ("Speed and memory").
  bool frozen_as_loaded = false;
};

Json benchTrain(const BenchTrainRequest& request);

}  // namespace temper
