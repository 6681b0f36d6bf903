// `temper bench train | generate | load`.
#include <cstdio>

#include "app/cli.h"
#include "core/engine/bench_command.h"
#include "core/engine/bench_generate_command.h"

namespace temper::cli {

void addBenchCommand(CLI::App& app, Action& action) {
  auto* bench = app.add_subcommand("bench", "benchmarks");
  bench->require_subcommand(1);
  auto* train = bench->add_subcommand("train", "training throughput of reference_gpt.py's model on random ids");
  auto request = std::make_shared<BenchTrainRequest>();
  train->add_option("--layers", request->layers)->check(CLI::Range(1, 256));
  train->add_option("--dim", request->dim)->check(CLI::Range(8, 32768));
  train->add_option("--heads", request->heads)->check(CLI::Range(1, 256));
  train->add_option("--ctx", request->ctx)->check(CLI::Range(2, 65536));
  train->add_option("--vocab", request->vocab)->check(CLI::Range(2, 1 << 22));
  train->add_option("--batch", request->batch)->check(CLI::Range(1, 65536));
  train->add_option("--steps", request->steps)->check(CLI::Range(1, 1000000));
  train->add_option("--warmup", request->warmup)->check(CLI::Range(0, 1000000));
  train->add_option("--threads", request->threads, "CPU threads (0: chosen by the engine)");
  train
      ->add_option("--family", request->family, "gpt2 (the peer's model) or llama (RMSNorm, RoPE, SwiGLU, untied head)")
      ->check(CLI::IsMember({"gpt2", "llama"}));
  train->add_option("--kv-heads", request->kv_heads, "llama: key/value heads (0: as many as heads; fewer is GQA)")
      ->check(CLI::Range(0, 256));
  train->add_option("--intermediate", request->intermediate, "llama: SwiGLU width (0: 8/3 x dim, rounded up to 64)")
      ->check(CLI::Range(0, 1 << 20));
  train->add_option("--lora-r", request->lora_r, "train LoRA adapters of this rank on a frozen base (0: full)")
      ->check(CLI::Range(0, 4096));
  train->add_option("--lora-alpha", request->lora_alpha, "LoRA alpha (0: 2 x rank)")->check(CLI::Range(0.0, 1e6));
  train->add_option("--lora-targets", request->lora_targets, "qkv (c_attn, PEFT's default) or all-linear")
      ->check(CLI::IsMember({"qkv", "all-linear"}));
  train
      ->add_option("--prompt-tokens", request->prompt_tokens,
                   "train a soft prompt of this many tokens on a frozen base (0: off)")
      ->check(CLI::Range(0, 4096));
  train
      ->add_option("--adapter-reduction", request->adapter_reduction,
                   "train bottleneck adapters after every MLP with this reduction factor on a frozen base (0: off)")
      ->check(CLI::Range(0, 65536));
  train
      ->add_option("--base-quant", request->base_quant,
                   "quantise the frozen base's projections (QLoRA): none, int8 or nf4; needs a PEFT method")
      ->check(CLI::IsMember({"none", "int8", "nf4"}));
  train->add_flag("--frozen-as-loaded", request->frozen_as_loaded,
                  "under bf16 autocast, keep a frozen base's weights in fp32 as loaded rather than in bf16 as "
                  "training stores them (for A/B measurements)");
  train->add_flag("--gradient-checkpointing", request->gradient_checkpointing,
                  "recompute each block in the backward pass instead of keeping its activations");
  train->add_option("--device", request->device)->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  train
      ->add_option("--precision", request->precision,
                   "auto (bf16 autocast on CUDA and where the bf16 probe finds it faster on this CPU), fp32 or bf16")
      ->check(CLI::IsMember({"auto", "fp32", "bf16"}));
  auto json = std::make_shared<bool>(false);
  train->add_flag("--json", *json, "print JSON (the only output format)");
  train->callback([&action, request] {
    action = [request] {
      std::printf("%s\n", benchTrain(*request).dump().c_str());
      return 0;
    };
  });

  auto* gen = bench->add_subcommand("generate", "greedy generation tokens/s with and without the KV cache");
  auto gen_request = std::make_shared<BenchGenerateRequest>();
  gen->add_option("--preset", gen_request->preset, "model shape (random weights)")
      ->check(CLI::IsMember({"tiny", "small", "gpt2-124m"}));
  gen->add_option("--vocab", gen_request->vocab)->check(CLI::Range(2, 1 << 22));
  gen->add_option("--prompt-tokens", gen_request->prompt_tokens)->check(CLI::Range(1, 1 << 20));
  gen->add_option("--new-tokens", gen_request->new_tokens)->check(CLI::Range(1, 1 << 20));
  gen->add_option("--runs", gen_request->runs, "timed runs per mode (the median is reported)")
      ->check(CLI::Range(1, 100));
  gen->add_option("--threads", gen_request->threads, "CPU threads (0: chosen by the engine)");
  gen->add_option("--device", gen_request->device)->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  gen->add_option("--precision", gen_request->precision, "weights: auto (bf16 where the CPU has it), fp32, bf16")
      ->check(CLI::IsMember({"auto", "fp32", "bf16"}));
  gen->add_flag("--json", *json, "print JSON (the only output format)");
  gen->callback([&action, gen_request] {
    action = [gen_request] {
      std::printf("%s\n", benchGenerate(*gen_request).dump().c_str());
      return 0;
    };
  });

  auto* rollouts = bench->add_subcommand(
      "rollouts",
      "sampling rollouts as GRPO/RLOO/PPO do (groups of completions per prompt), with and without the KV cache");
  auto rollouts_request = std::make_shared<BenchRolloutsRequest>();
  rollouts->add_option("--preset", rollouts_request->preset, "model shape (random weights)")
      ->check(CLI::IsMember({"tiny", "small", "gpt2-124m"}))
      ->capture_default_str();
  rollouts->add_option("--vocab", rollouts_request->vocab)->check(CLI::Range(2, 1 << 22))->capture_default_str();
  rollouts->add_option("--prompts", rollouts_request->prompts)->check(CLI::Range(1, 4096))->capture_default_str();
  rollouts->add_option("--generations", rollouts_request->generations, "completions per prompt (num-generations)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  rollouts->add_option("--prompt-tokens", rollouts_request->prompt_tokens)
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  rollouts->add_option("--new-tokens", rollouts_request->new_tokens, "tokens per completion (max-completion-length)")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  rollouts->add_option("--runs", rollouts_request->runs, "timed runs per mode (the median is reported)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  rollouts->add_option("--threads", rollouts_request->threads, "CPU threads (0: chosen by the engine)");
  rollouts->add_option("--device", rollouts_request->device)->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  rollouts->add_flag("--json", *json, "print JSON (the only output format)");
  rollouts->callback([&action, rollouts_request] {
    action = [rollouts_request] {
      std::printf("%s\n", benchRollouts(*rollouts_request).dump().c_str());
      return 0;
    };
  });

  auto* load = bench->add_subcommand("load", "time to inspect and to load a model folder (page cache warm)");
  auto load_request = std::make_shared<BenchLoadRequest>();
  auto load_model = std::make_shared<std::string>();
  load->add_option("--model", *load_model, "a model folder (default: write a --preset-shaped one first)");
  load->add_option("--preset", load_request->preset)->check(CLI::IsMember({"tiny", "small", "gpt2-124m"}));
  load->add_option("--vocab", load_request->vocab)->check(CLI::Range(2, 1 << 22));
  load->add_option("--runs", load_request->runs)->check(CLI::Range(1, 100));
  load->add_option("--threads", load_request->threads, "CPU threads (0: chosen by the engine)");
  load->add_flag("--json", *json, "print JSON (the only output format)");
  load->callback([&action, load_request, load_model] {
    action = [load_request, load_model] {
      load_request->model_dir = *load_model;
      std::printf("%s\n", benchLoad(*load_request).dump().c_str());
      return 0;
    };
  });
}

}  // namespace temper::cli
