#!/usr/bin/python3
"""What learning from preferences costs over SFT on the same model: the step throughput of
`temper train --method dpo` (policy forward + backward, and the frozen reference's forward) and of
`--method simpo` (no reference) against `--method sft`, A/B alternating in one run, medians and
ratios. Issue 13 expects DPO within about 1.4x of SFT: the reference adds one forward pass, about
a third of a training step's work. `dpo-precomputed` is DPO with `precompute-ref true`: the
reference's log-probs computed once before the first step (its seconds reported apart), so the
steps carry no reference pass.

The base is bench/sft_vs_peer.py's (a GPT-2 config with random N(0, 0.02) weights, a byte-level
tokenizer: one token per character). Every sequence is exactly `ctx` tokens, no padding: SFT
records are prompt + completion + eos; DPO / SimPO pairs have the same prompt and two answers of
the same length, and a batch of B/2 pairs is B sequences, as a batch of B SFT records is. So the
three move the same tokens per step and `tokens_per_s` (the engine's own, of each step event after
the first two) compares their cost per token directly.

Needs /usr/bin/python3 with torch (Debian's python3-torch) for the base's weights, as sft_vs_peer.py.

Usage: bench/preference_vs_sft.py --temper build/bin/temper [--rounds 3] [--steps 6] [--batch 8]
       [--ctx 128] [--layers 6] [--dim 384] [--heads 6]
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sft_vs_peer import make_base  # noqa: E402  (the same generated base)


def letters(rng, n):
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(n))


def make_data(folder, count, ctx, seed):
    """SFT records and preference pairs whose every sequence is ctx tokens (eos included)."""
    rng = random.Random(seed)
    half = ctx // 2
    answer = ctx - half - 1  # + eos
    with open(os.path.join(folder, "sft.jsonl"), "w") as sft, open(os.path.join(folder, "pairs.jsonl"), "w") as pairs:
        for _ in range(count):
            prompt = letters(rng, half)
            sft.write(json.dumps({"prompt": prompt, "completion": letters(rng, answer)}) + "\n")
            pairs.write(json.dumps({"prompt": prompt, "chosen": letters(rng, answer),
                                    "rejected": letters(rng, answer)}) + "\n")


def run(args, variant, base, folder):
    """The median step tokens/s of one run, and the seconds precompute-ref took before it (or None)."""
    method = "dpo" if variant == "dpo-precomputed" else variant
    workspace = tempfile.mkdtemp(prefix="temper-bench-ws-")
    data = os.path.join(folder, "sft.jsonl" if method == "sft" else "pairs.jsonl")
    # Pairs count twice: B/2 pairs are B sequences.
    batch = args.batch if method == "sft" else max(1, args.batch // 2)
    command = [args.temper, "--workspace", workspace, "--events", "train", "--method", method, "--base", base,
               "--data", data, "--val-fraction", "0.05", "--batch-size", str(batch), "--ctx", str(args.ctx),
               "--max-steps", str(args.steps), "--eval-every", str(10 ** 6), "--checkpoint-every", str(10 ** 6),
               "--eval-batches", "1", "--sample-tokens", "0", "--warmup-steps", "0", "--threads", args.threads]
    if variant == "dpo-precomputed":
        command += ["--precompute-ref", "true"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    events = [json.loads(line) for line in out.splitlines()]
    rates = [e["tokens_per_s"] for e in events if e.get("type") == "step"]
    started = [e for e in events if e.get("type") == "run_started"]
    reference = started[0].get("data", {}).get("reference") if started else None
    shutil.rmtree(workspace, ignore_errors=True)
    return statistics.median(rates[2:] if len(rates) > 3 else rates), (reference or {}).get("seconds")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--temper", required=True)
    p.add_argument("--threads", default="0")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--ctx", type=int, default=128)
    p.add_argument("--layers", type=int, default=6)
    p.add_argument("--dim", type=int, default=384)
    p.add_argument("--heads", type=int, default=6)
    args = p.parse_args()
    folder = tempfile.mkdtemp(prefix="temper-bench-pref-")
    try:
        base = os.path.join(folder, "base")
        make_base(base, args.layers, args.dim, args.heads, 257, args.ctx)
        make_data(folder, 40 * args.batch, args.ctx, seed=1)
        methods = ["sft", "dpo", "dpo-precomputed", "simpo"]
        results = {m: [] for m in methods}
        precompute_s = []
        for r in range(args.rounds):
            order = methods if r % 2 == 0 else list(reversed(methods))  # A/B/C/D then D/C/B/A
            for m in order:
                rate, seconds = run(args, m, base, folder)
                results[m].append(rate)
                if seconds is not None:
                    precompute_s.append(seconds)
            print(json.dumps({"round": r + 1, **{m: round(results[m][-1], 1) for m in methods}}), flush=True)
        med = {m: statistics.median(v) for m, v in results.items()}
        print(json.dumps({"median_tokens_per_s": {m: round(v, 1) for m, v in med.items()},
                          "sft_over_dpo": round(med["sft"] / med["dpo"], 3),
                          "sft_over_dpo_precomputed": round(med["sft"] / med["dpo-precomputed"], 3),
                          "precompute_ref_s": round(statistics.median(precompute_s), 2) if precompute_s else None,
                          "sft_over_simpo": round(med["sft"] / med["simpo"], 3),
                          "shape": {"layers": args.layers, "dim": args.dim, "heads": args.heads, "ctx": args.ctx,
                                    "batch_sequences": args.batch}}))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
