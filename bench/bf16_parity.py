#!/usr/bin/env python3
"""Does bf16 autocast learn as well as fp32 on the CPU? SFT on WikiSQL, several seeds of each.

A base is pretrained once here (fp32) on the WikiSQL training text with a BPE tokenizer trained on
it; then `temper train --method sft` finetunes it on ../shared/data/sft/wikisql-train.jsonl with
--precision fp32 and --precision bf16, --seeds times each (the seed decides the order of the
training batches), evaluating on every record of wikisql-valid.jsonl. Prints every run's final
validation loss and token accuracy, and per precision the mean and the seed spread (max - min):
bf16 passes when its mean lies within the fp32 seeds' spread of the fp32 mean.

Usage: bench/bf16_parity.py --temper build/bin/temper [--seeds 3] [--sft-steps 300]
Standard library only.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "sft"))


def temper(binary, *args):
    out = subprocess.run([binary, *args, "--events"], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--temper", required=True)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--pretrain-steps", type=int, default=400)
    p.add_argument("--sft-steps", type=int, default=300)
    a = p.parse_args()
    train, valid = os.path.join(SHARED, "wikisql-train.jsonl"), os.path.join(SHARED, "wikisql-valid.jsonl")
    if not os.path.exists(train):
        sys.exit(f"{train} is absent (../shared/data is needed)")
    with tempfile.TemporaryDirectory(prefix="temper-bf16-parity-") as tmp:
        ws = os.path.join(tmp, "ws")
        subprocess.run([a.temper, "tokenizer", "train", "--input", train, "--model-type", "bpe", "--vocab-size", "600",
                        "--out", os.path.join(tmp, "sql.model")], check=True, capture_output=True)
        subprocess.run([a.temper, "data", "prepare", "--input", train, "--tokenizer", os.path.join(tmp, "sql.model"),
                        "--out", os.path.join(tmp, "data")], check=True, capture_output=True)
        events = temper(a.temper, "train", "--workspace", ws, "--data", os.path.join(tmp, "data"), "--layers", "4",
                        "--dim", "128", "--heads", "4", "--ctx", "128", "--batch-size", "16", "--max-steps",
                        str(a.pretrain_steps), "--lr", "2e-3", "--min-lr", "2e-4", "--warmup-steps", "40",
                        "--eval-every", str(a.pretrain_steps), "--sample-tokens", "0", "--precision", "fp32")
        base = os.path.join(events[0]["run_dir"], "final")
        print(f"base: pretrained {a.pretrain_steps} steps, val loss "
              f"{[e for e in events if e['type'] == 'eval'][-1]['val_loss']:.4f}", flush=True)
        finals = {"fp32": [], "bf16": []}
        for seed in range(1, a.seeds + 1):
            for precision in ("fp32", "bf16"):  # alternating, so that drift in the machine hits both
                events = temper(a.temper, "train", "--workspace", ws, "--method", "sft", "--base", base, "--data", train,
                                "--val-data", valid, "--response-template", "\nA:", "--max-steps", str(a.sft_steps),
                                "--eval-every", str(a.sft_steps), "--eval-batches", "100", "--batch-size", "8",
                                "--lr", "1e-3", "--min-lr", "1e-4", "--warmup-steps", "20", "--ctx", "128",
                                "--sample-tokens", "0", "--seed", str(seed), "--precision", precision)
                started = next(e for e in events if e["type"] == "run_started")
                final = [e for e in events if e["type"] == "eval"][-1]
                steps = [e["tokens_per_s"] for e in events if e["type"] == "step"][2:]
                finals[precision].append(final["val_loss"])
                print(f"seed {seed} {precision} ({started['environment']['precision']}): val loss {final['val_loss']:.4f}, "
                      f"token accuracy {final.get('metrics', {}).get('token_accuracy', float('nan')):.4f}, "
                      f"{statistics.median(steps):,.0f} tok/s", flush=True)
        print()
        for precision, values in finals.items():
            print(f"{precision}: mean {statistics.mean(values):.4f}, spread {max(values) - min(values):.4f} "
                  f"({', '.join(f'{v:.4f}' for v in values)})")
        gap = statistics.mean(finals["bf16"]) - statistics.mean(finals["fp32"])
        spread = max(finals["fp32"]) - min(finals["fp32"])
        print(f"bf16 - fp32 mean: {gap:+.4f}; fp32 seed spread {spread:.4f}: "
              f"{'within' if abs(gap) <= spread else 'OUTSIDE'} the noise")


if __name__ == "__main__":
    main()
