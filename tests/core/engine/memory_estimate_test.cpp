// core/train/memory_estimate: parameter counts against published model sizes, byte totals computed by
// hand, and the activation formula against what autograd really keeps alive after a forward pass
// (glibc's count of allocated bytes before and after the loss, with the graph held).
#include <gtest/gtest.h>
#include <malloc.h>

#include "core/common/error.h"
#include "core/model/gpt.h"
#include "core/model/llama.h"
#include "core/peft/bottleneck.h"
#include "core/peft/lora.h"
#include "core/peft/peft_shape.h"
#include "core/peft/prompt_tuning.h"
#include "core/train/memory_estimate.h"

namespace temper {
namespace {

ModelShape gpt2Small() {
  ModelShape s;
  s.family = "gpt2";
  s.layers = 12;
  s.hidden = 768;
  s.heads = 12;
  s.vocab = 50257;
  s.ctx = 1024;
  return s;
}

ModelShape tinyLlama() {  // TinyLlama-1.1B's config.json
  ModelShape s;
  s.family = "llama";
  s.layers = 22;
  s.hidden = 2048;
  s.heads = 32;
  s.kv_heads = 4;
  s.intermediate = 5632;
  s.vocab = 32000;
  s.ctx = 2048;
  s.tied = false;
  s.qkv_bias = s.o_bias = s.mlp_bias = false;
  return s;
}

TEST(MemoryEstimate, ParameterCountsMatchPublishedModels) {
  // transformers' GPT2LMHeadModel("gpt2").num_parameters() and TinyLlama-1.1B's model card.
  EXPECT_EQ(parameterCount(gpt2Small()), 124'439'808);
  EXPECT_EQ(parameterCount(tinyLlama()), 1'100'048'384);
  ModelShape qwen;  // Qwen2-0.5B: q/k/v biases, no o bias, tied head
  qwen.family = "llama";
  qwen.layers = 24;
  qwen.hidden = 896;
  qwen.heads = 14;
  qwen.kv_heads = 2;
  qwen.intermediate = 4864;
  qwen.vocab = 151936;
  qwen.ctx = 32768;
  qwen.tied = true;
  qwen.qkv_bias = true;
  qwen.o_bias = qwen.mlp_bias = false;
  EXPECT_EQ(parameterCount(qwen), 494'032'768);
}

TEST(MemoryEstimate, HandComputedBytesForATinyGpt2) {
  ModelShape s;
  s.family = "gpt2";
  s.layers = 2;
  s.hidden = 8;
  s.heads = 2;
  s.vocab = 10;
  s.ctx = 4;
  TrainShape t;
  t.batch_size = 3;
  t.seq_len = 4;
  MemoryEstimate e = estimateTrainingMemory(s, t);
  // wte 80 + wpe 32 + 2 × (ln 16 + c_attn 216 + c_proj 72 + ln 16 + c_fc 288 + c_proj 264) + ln_f 16
  EXPECT_EQ(e.parameters, 1872);
  EXPECT_EQ(e.trainable_parameters, 1872);
  EXPECT_EQ(e.weights, 1872 * 4);
  EXPECT_EQ(e.gradients, 1872 * 4);
  EXPECT_EQ(e.optimizer, 1872 * 8);
  // N = 12 tokens. Per block 8NC + 2NI + 4N + B·H·T² = 768 + 768 + 48 + 96 = 1680; two blocks 3360;
  // final LayerNorm 2NC + 2N = 216; loss gradient N·V = 120: 3696 elements, 14784 bytes. Peak adds
  // the logits (120 × 4).
  EXPECT_EQ(e.saved_activations, 14784);
  EXPECT_EQ(e.activations, 14784 + 480);
  EXPECT_EQ(e.total, 1872 * 16 + 15264);

  Json json = e.toJson();
  EXPECT_EQ(json["parameters"], 1872);
  EXPECT_EQ(json["bytes"]["total"], e.total);
  EXPECT_EQ(json["bytes"]["activations"], 15264);
  EXPECT_EQ(json["device"], "cpu");
  EXPECT_FALSE(json["bytes"].contains("frozen_models"));

  // A reference copy of the same model beside it (full-weight DPO): its fp32 weights, nothing else.
  TrainShape with_reference = t;
  with_reference.frozen_model_parameters = 1872;
  MemoryEstimate referenced = estimateTrainingMemory(s, with_reference);
  EXPECT_EQ(referenced.frozen_models, 1872 * 4);
  EXPECT_EQ(referenced.total, e.total + 1872 * 4);
  EXPECT_EQ(referenced.toJson()["bytes"]["frozen_models"], 1872 * 4);

  // Only the last block trained: the first block records nothing; moments for the trainable part only.
  t.recorded_blocks = 1;
  t.trainable_parameters = 872;
  MemoryEstimate last = estimateTrainingMemory(s, t);
  EXPECT_EQ(last.saved_activations, (1680 + 216 + 120) * 4);
  EXPECT_EQ(last.gradients, 872 * 4);
  EXPECT_EQ(last.optimizer, 872 * 8);
  EXPECT_EQ(last.weights, 1872 * 4);
}

TEST(MemoryEstimate, HandComputedActivationsForATinyLlama) {
  ModelShape s;
  s.family = "llama";
  s.layers = 1;
  s.hidden = 8;
  s.heads = 4;
  s.kv_heads = 2;
  s.intermediate = 12;
  s.vocab = 10;
  s.ctx = 8;
  s.tied = false;
  s.qkv_bias = s.o_bias = s.mlp_bias = false;
  TrainShape t;
  t.batch_size = 2;
  t.seq_len = 4;
  // N = 8, Q = 4 × 2 = 8. CPU (fused kernels): block 4NC + 2N + 4NQ + 3NI + B·H·T²
  // = 256 + 16 + 256 + 288 + 128 = 944; final RMSNorm 2NC + N = 136; loss gradient N·V = 80.
  EXPECT_EQ(savedActivationElements(s, t), 944 + 136 + 80);
  // Eager path (CUDA): block 6NC + 2N + 4NQ + 4NI + B·H·T² = 384 + 16 + 256 + 384 + 128 = 1168;
  // final RMSNorm 3NC + N = 200.
  t.device = "cuda";
  EXPECT_EQ(savedActivationElements(s, t), 1168 + 200 + 80);
  // embed 80 + norms 16 + q 64 + k 32 + v 32 + o 64 + MLP 288 + norm 8 + head 80
  EXPECT_EQ(parameterCount(s), 664);
}

TEST(MemoryEstimate, RejectsImpossibleShapes) {
  ModelShape s = gpt2Small();
  TrainShape t;
  t.seq_len = 2048;
  EXPECT_THROW(estimateTrainingMemory(s, t), Error);
  t.seq_len = 0;
  t.trainable_parameters = parameterCount(s) + 1;
  EXPECT_THROW(estimateTrainingMemory(s, t), Error);
  s.kv_heads = 5;
  EXPECT_THROW(s.validate(), Error);
}

// Bytes malloc has handed out and not taken back (every arena, mmapped blocks included).
int64_t allocatedBytes() {
  struct mallinfo2 info = mallinfo2();
  return static_cast<int64_t>(info.uordblks + info.hblkhd);
}

// Bytes alive after model.loss() while the graph is held, minus those before: what autograd saved.
int64_t measuredSavedBytes(CausalLmImpl& model, int64_t batch, int64_t seq, int64_t vocab) {
  torch::manual_seed(3);
  auto x = torch::randint(0, vocab, {batch, seq}, torch::kLong);
  auto y = torch::randint(0, vocab, {batch, seq}, torch::kLong);
  model.loss(x, y).backward();  // warm-up: lazily built tables, thread pools and gradient buffers
  const int64_t before = allocatedBytes();
  auto loss = model.loss(x, y);
  const int64_t after = allocatedBytes();
  loss.backward();
  return after - before;
}

// The calibration models: 3 blocks of width 64 with 4 heads, vocabulary 512; the Llama with 2 kv
// heads of 16 and SwiGLU 160. `context` positions; the shape the estimate is given for each.
GptConfig calibrationGpt(int64_t context) {
  GptConfig config;
  config.vocab_size = 512;
  config.context = context;
  config.dim = 64;
  config.layers = 3;
  config.heads = 4;
  return config;
}

LlamaConfig calibrationLlama(int64_t context) {
  LlamaConfig config;
  config.vocab_size = 512;
  config.hidden_size = 64;
  config.intermediate_size = 160;
  config.layers = 3;
  config.heads = 4;
  config.kv_heads = 2;
  config.head_dim = 16;
  config.max_positions = context;
  return config;
}

ModelShape calibrationShape(const std::string& family, int64_t context) {
  ModelShape s;
  s.family = family;
  s.layers = 3;
  s.hidden = 64;
  s.heads = 4;
  s.vocab = 512;
  s.ctx = context;
  if (family == "llama") {
    s.kv_heads = 2;
    s.head_dim = 16;
    s.intermediate = 160;
    s.tied = false;
    s.qkv_bias = s.o_bias = s.mlp_bias = false;
  }
  return s;
}

TEST(MemoryEstimate, ActivationFormulaMatchesWhatAutogradKeeps) {
  torch::set_num_threads(1);
  {
    torch::manual_seed(0);
    Gpt model(calibrationGpt(128));
    model->train();
    const ModelShape s = calibrationShape("gpt2", 128);
    TrainShape t;
    t.batch_size = 4;
    t.seq_len = 128;
    const double estimated = static_cast<double>(savedActivationElements(s, t) * 4);
    const double measured = static_cast<double>(measuredSavedBytes(*model, 4, 128, 512));
    RecordProperty("gpt2_estimated_bytes", std::to_string(estimated));
    RecordProperty("gpt2_measured_bytes", std::to_string(measured));
    std::printf("GPT-2 saved activations: estimated %.0f B, measured %.0f B (%+.2f%%)\n", estimated, measured,
                100.0 * (estimated - measured) / measured);
    EXPECT_NEAR(estimated / measured, 1.0, 0.05);

    // Gradient checkpointing: the blocks' inputs, the final norm and the loss's gradient remain.
    model->setGradientCheckpointing(true);
    t.gradient_checkpointing = true;
    const double checkpointed_estimate = static_cast<double>(savedActivationElements(s, t) * 4);
    const double checkpointed = static_cast<double>(measuredSavedBytes(*model, 4, 128, 512));
    std::printf("GPT-2 checkpointed: estimated %.0f B, measured %.0f B (%+.2f%%)\n", checkpointed_estimate,
                checkpointed, 100.0 * (checkpointed_estimate - checkpointed) / checkpointed);
    EXPECT_NEAR(checkpointed_estimate / checkpointed, 1.0, 0.05);
    EXPECT_LT(checkpointed * 2, measured);
  }
  {
    torch::manual_seed(0);
    Llama model(calibrationLlama(128));
    model->train();
    const ModelShape s = calibrationShape("llama", 128);
    TrainShape t;
    t.batch_size = 4;
    t.seq_len = 128;
    const double estimated = static_cast<double>(savedActivationElements(s, t) * 4);
    const double measured = static_cast<double>(measuredSavedBytes(*model, 4, 128, 512));
    std::printf("Llama saved activations: estimated %.0f B, measured %.0f B (%+.2f%%)\n", estimated, measured,
                100.0 * (estimated - measured) / measured);
    EXPECT_NEAR(estimated / measured, 1.0, 0.05);

    model->setGradientCheckpointing(true);
    t.gradient_checkpointing = true;
    const double checkpointed_estimate = static_cast<double>(savedActivationElements(s, t) * 4);
    const double checkpointed = static_cast<double>(measuredSavedBytes(*model, 4, 128, 512));
    std::printf("Llama checkpointed: estimated %.0f B, measured %.0f B (%+.2f%%)\n", checkpointed_estimate,
                checkpointed, 100.0 * (checkpointed_estimate - checkpointed) / checkpointed);
    EXPECT_NEAR(checkpointed_estimate / checkpointed, 1.0, 0.05);
  }
}

// A frozen base under an adapter: autograd still records every block (the gradient must reach the
// first block's adapter, or the prompt before it), but a frozen projection that no adapter reads
// keeps no input. The estimate with those inputs taken off (unsavedInputWidth), against what
// autograd keeps, for each kind on both families.
TEST(MemoryEstimate, FrozenBaseUnderAnAdapterKeepsOnlyWhatTheAdapterNeeds) {
  torch::set_num_threads(1);
  const int64_t batch = 4, seq = 128, prompt = 8;
  for (const char* family : {"gpt2", "llama"}) {
    const ModelShape s = calibrationShape(family, seq + prompt);
    for (const std::string kind : {"lora all-linear", "lora attention-qv", "prompt-tuning", "adapters"}) {
      torch::manual_seed(0);
      CausalLm model;
      if (s.family == "gpt2") {
        model = Gpt(calibrationGpt(s.ctx)).ptr();
      } else {
        model = Llama(calibrationLlama(s.ctx)).ptr();
      }
      model->train();
      PeftChoice peft;
      std::shared_ptr<Adapter> adapter;
      if (kind == "prompt-tuning") {
        peft.kind = kind;
        peft.prompt.tokens = prompt;
        adapter = std::make_shared<PromptTuningAdapter>(model, peft.prompt);
      } else if (kind == "adapters") {
        peft.kind = kind;
        peft.adapters.reduction = 16;
        adapter = std::make_shared<BottleneckAdapter>(model, peft.adapters);
      } else {
        peft.kind = "lora";
        peft.lora.r = 4;
        peft.lora.targets = kind.substr(5);
        adapter = std::make_shared<LoraAdapter>(model, peft.lora);
      }
      TrainShape t;
      t.batch_size = batch;
      t.seq_len = kind == "prompt-tuning" ? seq + prompt : seq;  // the prompt's positions run through the blocks
      const double full = static_cast<double>(savedActivationElements(s, t) * 4);
      t.unsaved_input_width = unsavedInputWidth(s, peft);
      t.adapter_saved_width = adapterSavedWidth(s, peft);
      t.recorded_blocks = recordedBlocksUnder(s, peft);
      t.frozen_head = true;  // the loss makes its logits in chunks (kernels::frozenHeadCrossEntropy)
      const double estimated = static_cast<double>(savedActivationElements(s, t) * 4);
      const double measured = static_cast<double>(measuredSavedBytes(*model, batch, seq, 512));
      std::printf("%s %s: estimated %.0f B, measured %.0f B (%+.2f%%); the full model's count %+.2f%%\n", family,
                  kind.c_str(), estimated, measured, 100.0 * (estimated - measured) / measured,
                  100.0 * (full - measured) / measured);
      EXPECT_NEAR(estimated / measured, 1.0, 0.05) << family << " " << kind;
    }
  }
}

}  // namespace
}  // namespace temper
