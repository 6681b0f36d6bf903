#include "core/engine/bench_command.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>

#include "core/common/error.h"
#include "core/engine/allocator_tuning.h"
#include "core/engine/bf16_probe.h"
#include "core/engine/runtime.h"
#include "core/model/gpt.h"
#include "core/model/llama.h"
#include "core/model/quantize_base.h"
#include "core/peft/bottleneck.h"
#include "core/peft/lora.h"
#include "core/peft/prompt_tuning.h"
#include "core/quant/quantized_weight.h"
#include "core/train/compute_precision.h"
#include "core/train/flat_adamw.h"

namespace temper {

namespace {

CausalLm benchModel(const BenchTrainRequest& r) {
  if (r.family == "llama") {
    LlamaConfig config;
    config.vocab_size = r.vocab;
    config.max_positions = r.ctx + r.prompt_tokens;
    config.hidden_size = r.dim;
    config.layers = r.layers;
    config.heads = r.heads;
    config.kv_heads = r.kv_heads > 0 ? r.kv_heads : r.heads;
    config.head_dim = r.dim / r.heads;
    config.intermediate_size = r.intermediate > 0 ? r.intermediate : (8 * r.dim / 3 + 63) / 64 * 64;
    config.validate();
    return Llama(config).ptr();
  }
  GptConfig config;
  config.vocab_size = r.vocab;
  config.context = r.ctx + r.prompt_tokens;
  config.dim = r.dim;
  config.layers = r.layers;
  config.heads = r.heads;
  config.validate();
  return Gpt(config).ptr();
}

double peakRssMb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

/// Resets the process's RSS high-water mark (Linux >= 4.0: "5" to /proc/self/clear_refs). False
/// where that is not possible.
bool resetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  if (!clear) return false;
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

/// A "Vm...:  123 kB" line of /proc/self/status, in MB; -1 if unknown.
double procStatusMb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  }
  return -1;
}

/// The RSS high-water mark since the last reset (VmHWM), in MB; -1 if unknown. getrusage's
/// ru_maxrss may also count what the process held before the reset.
double peakRssSinceResetMb() { return procStatusMb("VmHWM"); }

}  // namespace

Json benchTrain(const BenchTrainRequest& r) {
  RuntimeInfo runtime = configureRuntime(r.threads, r.device);
  torch::Device device = runtime.device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  // As training does (`precision` auto: the bf16 probe at this model's shapes on a CPU with bf16 hardware).
  const PrecisionChoice choice = resolvePrecision(r.precision, runtime.device, [&](std::string& why) {
    return bf16PaysAtShape(Bf16ProbeShape{r.batch * r.ctx, r.dim, 4 * r.dim}, runtime, {}, why);
  });
  const ComputePrecision precision = choice.precision;
  torch::manual_seed(static_cast<uint64_t>(r.seed));
  CausalLm model = benchModel(r);
  model->to(device);
  model->train();
  const int64_t params_count = model->parameterCount();
  const QuantKind base_quant = parseQuantKind(r.base_quant, "--base-quant");
  if (base_quant != QuantKind::None && r.lora_r == 0 && r.prompt_tokens == 0 && r.adapter_reduction == 0) {
    throwConfigError("`--base-quant " + r.base_quant +
                     "` quantises a frozen base: give a parameter-efficient method too (--lora-r, "
                     "--prompt-tokens or --adapter-reduction)");
  }
  // As training does (train_command.cpp): a quantised base runs under the memory-first allocator.
  const std::string allocator = base_quant != QuantKind::None ? tuneAllocatorForMemory() : "reuse-first";
  int64_t projection_bytes = 0;
  for (NamedLinear& linear : model->adaptableLinears()) {
    projection_bytes += linear.layer->weight.numel() * static_cast<int64_t>(linear.layer->weight.element_size());
  }
  // Before any adapter: LoRA's A, B (and DoRA's norms) are sized and initialised from the quantised layers.
  if (base_quant != QuantKind::None)
    projection_bytes = quantizeProjections(*model, {base_quant, /*double_quant=*/true});
  std::vector<std::pair<std::string, torch::Tensor>> params;
  std::shared_ptr<Adapter> adapter;  // held for the run: detached when it is freed
  std::string method = "full";
  if (r.prompt_tokens > 0) {
    PromptTuningOptions options;
    options.tokens = r.prompt_tokens;
    adapter = std::make_shared<PromptTuningAdapter>(model, options);
    params = adapter->tensors();
    method = "prompt-tuning-" + std::to_string(r.prompt_tokens);
  } else if (r.lora_r > 0) {
    LoraOptions options;
    options.r = r.lora_r;
    options.alpha = r.lora_alpha > 0 ? r.lora_alpha : 2.0 * static_cast<double>(r.lora_r);
    // qkv: GPT-2's c_attn (PEFT's default there); on a Llama the same projections are q, k and v.
    options.targets = r.lora_targets != "qkv" ? r.lora_targets
                      : r.family == "llama"   ? "q_proj,k_proj,v_proj"
                                              : "attention-qv";
    adapter = std::make_shared<LoraAdapter>(model, options);
    adapter->setTraining(true);
    params = adapter->tensors();
    method = "lora-" + r.lora_targets + "-r" + std::to_string(r.lora_r);
  } else if (r.adapter_reduction > 0) {
    BottleneckOptions options;
    options.reduction = r.adapter_reduction;
    adapter = std::make_shared<BottleneckAdapter>(model, options);
    params = adapter->tensors();
    method = "adapters-" + options.placement + "-reduction" + std::to_string(r.adapter_reduction);
  } else {
    for (const auto& item : model->named_parameters()) params.emplace_back(item.key(), item.value());
  }
  // As training does (model_source.cpp): the frozen embedding and head in bf16 beside a quantised base.
  if (base_quant != QuantKind::None) model->storeFrozenTables(torch::kBFloat16);
  // As training does (train_command.cpp): a frozen base under bf16 autocast stored in bf16.
  const bool frozen_bf16 = adapter && precision == ComputePrecision::Bf16Autocast && !r.frozen_as_loaded &&
                           storeFrozenBaseForAutocast(*model) > 0;
  model->setGradientCheckpointing(r.gradient_checkpointing);
  FlatAdamW optimizer(params, AdamWOptions{0.9, 0.95, 1e-8, 0.1});

  std::vector<double> times;
  double loss_value = 0;
  const double setup_peak_rss_mb = peakRssMb();
  const bool steps_peak_measured = resetPeakRss();
  // What the steps start from (weights, runtime): the steps' peak less this is what a step adds,
  // the part the dry run's activations, gradients and optimizer state estimate.
  const double rss_before_steps_mb = procStatusMb("VmRSS");
  for (int64_t step = 0; step < r.warmup + r.steps; ++step) {
    auto x = torch::randint(0, r.vocab, {r.batch, r.ctx}, torch::kLong).to(device);
    auto y = torch::randint(0, r.vocab, {r.batch, r.ctx}, torch::kLong).to(device);
    auto started = std::chrono::steady_clock::now();
    torch::Tensor loss;
    {
      AutocastScope autocast(precision, runtime.device);
      loss = model->loss(x, y);
    }
    optimizer.zeroGrad();
    loss.backward();
    optimizer.clipGradNorm(1.0);
    optimizer.step(3e-4);
    loss_value = loss.item<double>();  // synchronises, as the peer's timing does at the next step
    if (step >= r.warmup) {
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
  }
  std::sort(times.begin(), times.end());
  double median = times[times.size() / 2];
  const double steps_peak_rss_mb = steps_peak_measured ? peakRssSinceResetMb() : -1;
  int64_t tokens = r.batch * r.ctx;
  double flops_per_token =
      6.0 * static_cast<double>(params_count) + 12.0 * static_cast<double>(r.layers * r.dim * r.ctx);
  return Json{{"impl", "temper-cpp"},
              {"torch", runtime.torch_version},
              {"threads", runtime.torch_threads},
              {"blas_threads", runtime.blas_threads},
              {"blas", runtime.blas},
              {"thread_policy", runtime.thread_policy},
              {"device", runtime.device},
              {"precision", precisionName(precision)},
              {"frozen_weights", frozen_bf16 ? "bf16" : "as loaded"},
              {"precision_reason", choice.reason},
              {"family", r.family},
              {"method", method},
              {"gradient_checkpointing", r.gradient_checkpointing},
              {"params", params_count},
              {"trainable_params", optimizer.parameterCount()},
              {"base_quant", r.base_quant},
              {"allocator", allocator},
              {"projection_weight_mb", static_cast<double>(projection_bytes) / (1024.0 * 1024.0)},
              {"peak_rss_mb", std::max(setup_peak_rss_mb, peakRssMb())},
              {"steps_peak_rss_mb", steps_peak_rss_mb >= 0 ? Json(steps_peak_rss_mb) : Json(nullptr)},
              {"rss_before_steps_mb", rss_before_steps_mb},
              {"tokens_per_step", tokens},
              {"median_step_s", median},
              {"tokens_per_s", static_cast<double>(tokens) / median},
              {"gflops_per_s", flops_per_token * static_cast<double>(tokens) / median / 1e9},
              {"final_loss", loss_value}};
}

}  // namespace temper
