#!/usr/bin/env python3
"""SFT step throughput: `temper train --method sft` against Hugging Face TRL's `SFTTrainer` on the CPU.

TRL's SFTTrainer is what a user would most likely run instead of Temper to finetune a model on
prompt-completion records. This script trains the same base on the same records with both, A/B
alternating, and compares tokens per second.

What both sides get
  * The base: a GPT-2-shaped Hugging Face folder generated here (config.json; model.safetensors with
    N(0, 0.02) weights, ones/zeros for the norms and zero biases; a byte-level tokenizer.json of the
    256 bytes plus <|endoftext|> and no merges, so every character is one token).
  * The records: {"prompt", "completion"} pairs of random lowercase letters, sized so that
    prompt + completion + eos is exactly ctx tokens. Every batch is full: no padding on either side.
  * The same loss targets. Both tokenize the prompt as is (no chat template), append eos to the
    completion and train next-token prediction on the completion tokens and the eos only (ctx/2 + 1
    targets per example when ctx is even), as a mean over those targets in the micro-batch. The script
    checks this on both sides (Temper's `run_started` data counts; the labels TRL prepared).
  * The same optimizer settings, Temper's SFT defaults (`temper info --json`): AdamW lr 5e-5 with
    cosine decay to 5e-6, betas 0.9/0.99, eps 1e-8, weight decay 0, global-norm clipping at 1.0,
    no warmup (the runs are shorter than the default 10 warmup steps), batch `--batch`, no
    gradient accumulation, fp32, no dropout, no evaluation or checkpoint inside the timed steps.

What differs (that is the point: each side as its user would run it)
  * Temper: C++ loop over LibTorch (this build: Debian's 1.13 with OpenBLAS), its fused CPU
    attention and AdamW kernels. A batch holds ctx - 1 input positions per example (the last
    token is only a target).
  * TRL: the Python `transformers.Trainer` loop on PyTorch 2.15 (the pinned wheel in .venv-torch:
    MKL + oneDNN), the `datasets` pipeline, `DataCollatorForLanguageModeling` (dynamic right padding
    to the longest example; a no-op here) with an all-ones attention mask, SDPA attention, AdamW as
    `optim`'s default picks it (`adamw_torch_fused`), TRL's chunked "fused LM head" loss, whose
    backward recomputes the logits and which also computes entropy and top-1 accuracy for its
    metrics. The model sees all ctx tokens of each example (transformers' convention: the logits of
    the last position are dropped), so its forward runs over one position more than Temper's.
  * TRL's own defaults that would make the comparison unfair are turned off explicitly:
    `gradient_checkpointing` (TRL: on), `bf16` (TRL: on; Temper is fp32 on the CPU).

Throughput
  * Tokens per step are counted the same way for both: the trained positions, batch x (ctx - 1).
  * Temper: the `tokens_per_s` of its step events (from the start of a step, batch building
    included, to the end of the optimizer step).
  * TRL: a TrainerCallback's wall clock from `on_step_begin` to `on_step_end` (forward, backward,
    clipping, optimizer and scheduler step; the collation of the batch happens before
    `on_step_begin` and is left out). The interval between successive `on_step_end`s (which
    includes collation, logging and callbacks) is reported beside it as `trl_loop_tokens_per_s`.
  * The first 2 steps of every run are dropped and the median of the rest is taken; one process
    per run. Each round runs Temper and TRL at every `--trl-threads` setting, their order swapped
    every round. The ratio is Temper / TRL at TRL's best thread setting (highest median over all
    rounds); the figure to quote is the median of the per-round ratios.
  * `--lora-r R` trains a peft LoRA (alpha 2R, dropout 0, targets c_attn or all linear layers) on
    the TRL side only: Temper has no LoRA yet, so then only TRL runs and the output says so.

Usage (with the pinned PyTorch environment; nothing is downloaded, HF_HUB_OFFLINE is set):
  .venv-torch/bin/python bench/trl_sft_vs_temper.py --temper build/bin/temper
      [--rounds 3] [--steps 6] [--batch 8] [--ctx 256] [--layers 4 --dim 256 --heads 4 --vocab 4096]
      [--trl-threads 1,2] [--engine-threads 0] [--lora-r 16 [--lora-targets c_attn|all-linear]]
  The default is a small shape that finishes in a few minutes on 2 cores. GPT-2 124M shape:
      ... --layers 12 --dim 768 --heads 12 --vocab 50257 --ctx 256 --batch 8 --steps 6
  (tens of seconds per step on 2 cores; the base folder is 0.5 GB.)
Prints one line per run on stderr, a short table, then one JSON line with every figure (last line).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time

EOS_ID = 256  # the byte tokenizer's <|endoftext|>
SFT_DEFAULTS = {"lr": 5e-5, "min_lr": 5e-6, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.0,
                "grad_clip": 1.0, "warmup_steps": 0, "seed": 1337}
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "HF_DATASETS_DISABLE_PROGRESS_BARS": "1", "TOKENIZERS_PARALLELISM": "false"}
MARK = "TRL_PEER_RESULT "


# ----------------------------------------------------------------------------------------- the base


def byte_symbols():
    """The printable stand-in GPT-2's byte-level BPE uses for each byte 0..255."""
    visible = [b for b in range(256) if 33 <= b <= 126 or 161 <= b <= 172 or 174 <= b <= 255]
    table, extra = {b: chr(b) for b in visible}, 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def write_base(folder, layers, dim, heads, vocab, positions):
    import torch
    from safetensors.torch import save_file

    os.makedirs(folder, exist_ok=True)
    gen = torch.Generator().manual_seed(0)

    def normal(*shape):
        return (torch.randn(*shape, generator=gen) * 0.02).contiguous()

    weights = {"wte.weight": normal(vocab, dim), "wpe.weight": normal(positions, dim)}
    for i in range(layers):
        # GPT-2's Conv1D layout: [in, out].
        for name, shape in (("attn.c_attn", (dim, 3 * dim)), ("attn.c_proj", (dim, dim)),
                            ("mlp.c_fc", (dim, 4 * dim)), ("mlp.c_proj", (4 * dim, dim))):
            weights[f"h.{i}.{name}.weight"] = normal(*shape)
            weights[f"h.{i}.{name}.bias"] = torch.zeros(shape[1])
        for norm in ("ln_1", "ln_2"):
            weights[f"h.{i}.{norm}.weight"] = torch.ones(dim)
            weights[f"h.{i}.{norm}.bias"] = torch.zeros(dim)
    weights["ln_f.weight"], weights["ln_f.bias"] = torch.ones(dim), torch.zeros(dim)
    save_file(weights, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})

    config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": vocab,
              "n_positions": positions, "n_embd": dim, "n_layer": layers, "n_head": heads, "n_inner": None,
              "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "resid_pdrop": 0.0,
              "embd_pdrop": 0.0, "attn_pdrop": 0.0, "tie_word_embeddings": True,
              "bos_token_id": EOS_ID, "eos_token_id": EOS_ID}
    byte_level = {"add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    vocab_ids = {symbol: b for b, symbol in byte_symbols().items()}
    vocab_ids["<|endoftext|>"] = EOS_ID
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None, "normalizer": None,
        "added_tokens": [{"id": EOS_ID, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": True, "special": True}],
        "pre_tokenizer": dict(type="ByteLevel", **byte_level),
        "post_processor": dict(type="ByteLevel", **byte_level),
        "decoder": dict(type="ByteLevel", **byte_level),
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "vocab": vocab_ids,
                  "merges": []}}
    for name, content in (("config.json", config), ("tokenizer.json", tokenizer),
                          ("tokenizer_config.json", {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
                                                     "model_max_length": positions})):
        with open(os.path.join(folder, name), "w") as f:
            json.dump(content, f)


def write_records(path, count, ctx, seed):
    """Prompt + completion + eos = ctx tokens (one letter, one token)."""
    rng = random.Random(seed)
    prompt_len = (ctx - 1) // 2
    completion_len = ctx - 1 - prompt_len
    with open(path, "w") as f:
        for _ in range(count):
            letters = "".join(rng.choice(string.ascii_lowercase) for _ in range(ctx - 1))
            f.write(json.dumps({"prompt": letters[:prompt_len], "completion": letters[prompt_len:]}) + "\n")
    return completion_len + 1  # loss targets per example: the completion and the eos


def median_after_warmup(values):
    return statistics.median(values[2:] if len(values) > 3 else values)


# ---------------------------------------------------------------------------------------- Temper


def run_temper(args, base, data, val, workspace):
    d = SFT_DEFAULTS
    command = [args.temper, "--workspace", workspace, "--events", "train", "--method", "sft", "--base", base,
               "--data", data, "--val-data", val, "--batch-size", str(args.batch), "--grad-accum", "1",
               "--ctx", str(args.ctx), "--max-steps", str(args.steps), "--lr", str(d["lr"]),
               "--min-lr", str(d["min_lr"]), "--warmup-steps", str(d["warmup_steps"]),
               "--weight-decay", str(d["weight_decay"]), "--beta1", str(d["beta1"]), "--beta2", str(d["beta2"]),
               "--grad-clip", str(d["grad_clip"]), "--dropout", "0", "--precision", "fp32", "--seed", str(d["seed"]),
               "--eval-every", str(10 ** 6), "--checkpoint-every", str(10 ** 6), "--eval-batches", "1",
               "--sample-tokens", "0", "--threads", str(args.engine_threads)]
    proc = subprocess.run(command, capture_output=True, text=True)
    shutil.rmtree(workspace, ignore_errors=True)
    if proc.returncode != 0:
        sys.exit(f"temper failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    started = next(e for e in events if e.get("type") == "run_started")
    steps = [e for e in events if e.get("type") == "step"]
    return {"tokens_per_s": median_after_warmup([e["tokens_per_s"] for e in steps]),
            "tokens_per_step": steps[-1]["tokens_seen"] // steps[-1]["step"],
            "losses": [round(e["loss"], 4) for e in steps],
            "data": started.get("data", {}), "environment": started.get("environment", {})}


# -------------------------------------------------------------------------------------------- TRL


def run_trl(args, base, data, threads, out_dir):
    spec = {"base": base, "data": data, "threads": threads, "out_dir": out_dir, "steps": args.steps,
            "batch": args.batch, "ctx": args.ctx, "lora_r": args.lora_r, "lora_targets": args.lora_targets}
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), **OFFLINE)
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--trl-child", json.dumps(spec)],
                          capture_output=True, text=True, env=env)
    shutil.rmtree(out_dir, ignore_errors=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        sys.exit(f"TRL peer failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(lines[-1][len(MARK):])


def trl_child(spec):
    """One TRL SFTTrainer run, in its own process; prints one MARK line of JSON."""
    import torch

    torch.set_num_threads(spec["threads"])
    import datasets
    import transformers
    import trl
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import SFTConfig, SFTTrainer

    datasets.disable_progress_bars()
    transformers.logging.set_verbosity_error()
    d = SFT_DEFAULTS

    class StepClock(TrainerCallback):
        def __init__(self):
            self.begin, self.step_s, self.ends = None, [], []

        def on_train_begin(self, args, state, control, **kwargs):
            self.ends.append(time.perf_counter())

        def on_step_begin(self, args, state, control, **kwargs):
            self.begin = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            now = time.perf_counter()
            self.step_s.append(now - self.begin)
            self.ends.append(now)

    tokenizer = AutoTokenizer.from_pretrained(spec["base"])
    model = AutoModelForCausalLM.from_pretrained(spec["base"], dtype=torch.float32)
    with open(spec["data"]) as f:
        records = [json.loads(line) for line in f]
    peft_config = None
    if spec["lora_r"]:
        from peft import LoraConfig

        peft_config = LoraConfig(r=spec["lora_r"], lora_alpha=2 * spec["lora_r"], lora_dropout=0.0, bias="none",
                                 task_type="CAUSAL_LM",
                                 target_modules="all-linear" if spec["lora_targets"] == "all-linear" else ["c_attn"])
    config = SFTConfig(
        output_dir=spec["out_dir"], max_steps=spec["steps"], per_device_train_batch_size=spec["batch"],
        gradient_accumulation_steps=1, learning_rate=d["lr"], lr_scheduler_type="cosine_with_min_lr",
        lr_scheduler_kwargs={"min_lr": d["min_lr"]}, warmup_steps=d["warmup_steps"], adam_beta1=d["beta1"],
        adam_beta2=d["beta2"], adam_epsilon=d["eps"], weight_decay=d["weight_decay"], max_grad_norm=d["grad_clip"],
        max_length=spec["ctx"], packing=False, completion_only_loss=True, gradient_checkpointing=False,
        bf16=False, fp16=False, use_cpu=True, report_to="none", eval_strategy="no", save_strategy="no",
        dataloader_num_workers=0, seed=d["seed"], disable_tqdm=True)
    clock = StepClock()
    trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(records),
                         processing_class=tokenizer, peft_config=peft_config, callbacks=[clock])

    # What TRL will train on: every example exactly as long as Temper's, the same ids, and the same targets
    # (labels are shifted inside the model: position t predicts labels[t + 1]).
    prepared = trainer.train_dataset
    lengths = sorted({len(ids) for ids in prepared["input_ids"]})
    targets = sorted({sum(1 for label in labels[1:] if label != -100) for labels in prepared["labels"]})
    first = records[0]
    expected = [ord(c) for c in first["prompt"] + first["completion"]] + [EOS_ID]
    ids_match = prepared[0]["input_ids"] == expected

    trainer.train()
    step_s = clock.step_s
    loop_s = [b - a for a, b in zip(clock.ends, clock.ends[1:])]
    tokens_per_step = spec["batch"] * (lengths[-1] - 1)
    losses = [round(e["loss"], 4) for e in trainer.state.log_history if "loss" in e]
    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    result = {"threads": spec["threads"], "torch_threads": torch.get_num_threads(),
              "tokens_per_s": tokens_per_step / median_after_warmup(step_s),
              "loop_tokens_per_s": tokens_per_step / median_after_warmup(loop_s),
              "step_s": [round(s, 4) for s in step_s], "tokens_per_step": tokens_per_step,
              "example_tokens": lengths, "targets_per_example": targets, "ids_match": ids_match,
              "optimizer": type(trainer.optimizer.optimizer if hasattr(trainer.optimizer, "optimizer")
                                else trainer.optimizer).__name__, "optim": str(config.optim),
              "attn_implementation": getattr(model.config, "_attn_implementation", None),
              "trainable_params": trainable, "logged_losses": losses,
              "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                           "trl": trl.__version__, "datasets": datasets.__version__}}
    print(MARK + json.dumps(result), flush=True)


# ------------------------------------------------------------------------------------------ driver


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--trl-child", help=argparse.SUPPRESS)
    p.add_argument("--temper", help="the temper engine binary (not needed with --lora-r)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--ctx", type=int, default=256)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--dim", type=int, default=256)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--vocab", type=int, default=4096)
    p.add_argument("--trl-threads", default="1,2", help="torch.set_num_threads values to try for TRL")
    p.add_argument("--engine-threads", default="0", help="temper's --threads (0: the engine's choice)")
    p.add_argument("--lora-r", type=int, default=0, help="TRL side only: a peft LoRA of this rank")
    p.add_argument("--lora-targets", choices=["c_attn", "all-linear"], default="c_attn")
    args = p.parse_args()
    if args.trl_child:
        return trl_child(json.loads(args.trl_child))
    if not args.lora_r and not args.temper:
        p.error("--temper is required (unless --lora-r, which runs TRL alone)")
    if args.ctx < 4 or args.dim % args.heads:
        p.error("need ctx >= 4 and heads dividing dim")
    os.environ.update(OFFLINE)
    thread_settings = [int(t) for t in args.trl_threads.split(",")]
    shape = {"layers": args.layers, "dim": args.dim, "heads": args.heads, "vocab": args.vocab, "ctx": args.ctx,
             "batch": args.batch, "steps": args.steps}
    run_temper_too = not args.lora_r
    if not run_temper_too:
        print(f"--lora-r {args.lora_r}: Temper has no LoRA yet, so only TRL runs (no ratio).", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="temper-trl-bench-") as tmp:
        base, data, val = (os.path.join(tmp, n) for n in ("base", "train.jsonl", "val.jsonl"))
        write_base(base, args.layers, args.dim, args.heads, args.vocab, max(1024, args.ctx))
        targets = write_records(data, max(200, args.batch * args.steps), args.ctx, 1)
        write_records(val, 8, args.ctx, 2)
        temper_runs, trl_runs = [], {t: [] for t in thread_settings}
        for r in range(args.rounds):
            order = ["temper"] * run_temper_too + [f"trl{t}" for t in thread_settings]
            if r % 2:
                order.reverse()
            for who in order:
                if who == "temper":
                    result = run_temper(args, base, data, val, os.path.join(tmp, f"ws{r}"))
                    temper_runs.append(result)
                    print(json.dumps({"round": r + 1, "temper_tokens_per_s": round(result["tokens_per_s"], 1)}),
                          file=sys.stderr, flush=True)
                else:
                    t = int(who[3:])
                    result = run_trl(args, base, data, t, os.path.join(tmp, f"trl{r}-{t}"))
                    trl_runs[t].append(result)
                    print(json.dumps({"round": r + 1, "trl_threads": t,
                                      "trl_tokens_per_s": round(result["tokens_per_s"], 1),
                                      "trl_loop_tokens_per_s": round(result["loop_tokens_per_s"], 1)}),
                          file=sys.stderr, flush=True)

    trl_median = {t: statistics.median(x["tokens_per_s"] for x in runs) for t, runs in trl_runs.items()}
    best = max(trl_median, key=trl_median.get)
    trl_best = [x["tokens_per_s"] for x in trl_runs[best]]
    first_trl = trl_runs[best][0]
    summary = {"shape": shape, "lora": {"r": args.lora_r, "targets": args.lora_targets} if args.lora_r else None,
               "trl_threads_tried": {str(t): round(m, 1) for t, m in trl_median.items()}, "trl_best_threads": best,
               "trl_tokens_per_s": [round(x, 1) for x in trl_best], "trl_median": round(trl_median[best], 1),
               "trl_loop_median": round(statistics.median(x["loop_tokens_per_s"] for x in trl_runs[best]), 1),
               "trl_tokens_per_step": first_trl["tokens_per_step"],
               "trl_example_tokens": first_trl["example_tokens"],
               "trl_targets_per_example": first_trl["targets_per_example"], "trl_ids_match": first_trl["ids_match"],
               "trl_optimizer": first_trl["optimizer"], "trl_optim": first_trl["optim"],
               "trl_attention": first_trl["attn_implementation"], "trl_trainable_params": first_trl["trainable_params"],
               "trl_versions": first_trl["versions"], "targets_per_example": targets}
    print(f"shape {args.layers}x{args.dim} heads {args.heads} vocab {args.vocab} ctx {args.ctx} batch {args.batch}, "
          f"{args.steps} steps, first 2 dropped; TRL threads tried {summary['trl_threads_tried']}, best {best}")
    if run_temper_too:
        temper = [x["tokens_per_s"] for x in temper_runs]
        ratios = [a / b for a, b in zip(temper, trl_best)]
        train_counts = temper_runs[0]["data"].get("train", {})
        temper_targets = train_counts.get("target_tokens", 0) / max(train_counts.get("examples", 1), 1)
        # Both sides must train the same targets on the same number of positions, or the ratio means little.
        same_work = (first_trl["targets_per_example"] == [targets] and temper_targets == targets
                     and first_trl["ids_match"] and first_trl["tokens_per_step"] == temper_runs[0]["tokens_per_step"]
                     and train_counts.get("truncated", 1) == 0)
        if not same_work:
            print("WARNING: Temper and TRL do not train the same targets; see the JSON line", file=sys.stderr)
        environment = temper_runs[0]["environment"]
        summary.update({"temper_tokens_per_s": [round(x, 1) for x in temper],
                        "temper_median": round(statistics.median(temper), 1),
                        "temper_tokens_per_step": temper_runs[0]["tokens_per_step"],
                        "temper_targets_per_example": temper_targets, "same_work": same_work,
                        "temper_libtorch": environment.get("torch_version"),
                        "temper_threads": environment.get("torch_threads"), "temper_blas": environment.get("blas"),
                        "ratios": [round(x, 3) for x in ratios], "median_ratio": round(statistics.median(ratios), 3)})
        print(f"{'round':>5} {'temper tok/s':>13} {'TRL tok/s':>10} {'ratio':>6}")
        for i, (a, b, q) in enumerate(zip(temper, trl_best, ratios)):
            print(f"{i + 1:>5} {a:>13.1f} {b:>10.1f} {q:>6.2f}")
        print(f"{'median':>5} {summary['temper_median']:>13.1f} {summary['trl_median']:>10.1f} "
              f"{summary['median_ratio']:>6.2f}   (median of the per-round ratios)")
    else:
        summary["note"] = "Temper has no LoRA yet: TRL only"
        print(f"{'round':>5} {'TRL tok/s':>10}")
        for i, b in enumerate(trl_best):
            print(f"{i + 1:>5} {b:>10.1f}")
        print(f"{'median':>5} {summary['trl_median']:>10.1f}   (LoRA r={args.lora_r}; Temper has no LoRA yet)")
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    sys.exit(main())
