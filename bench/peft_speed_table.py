#!/usr/bin/env python3
"""Issue 11's benchmark: what a PEFT kind costs and saves against full training, and Temper against
the Python peer in the same kinds.

On the GPT-2 124M shape (12 x 768, 12 heads, ctx 256, vocabulary 50257, batch 4) every configuration
runs once per round, in turn (A/B alternating, so a noisy neighbour hits all alike), and the table
gives medians over --rounds rounds:

  * `temper bench train` (it picks the OpenBLAS core and the precision itself) for full training,
    LoRA r=16 on c_attn (PEFT's GPT-2 default, "qkv") and on all linear layers, and prompt tuning
    with 20 virtual tokens, and bottleneck adapters after every MLP (reduction 16): tokens/s, median step time and the process's peak RSS, each as a share
    of full training's;
  * ../shared/bench/reference_gpt.py with the same flags at each --peer-settings setting
    (bf16 autocast, 2 threads, OpenBLAS core set by hand, system or OpenMP OpenBLAS), and per kind
    Temper's tokens/s over the peer's best setting (median of per-round ratios).

Usage: bench/peft_speed_table.py --temper build/bin/temper [--rounds 2] [--steps 4] [--llama]
       [--kinds "lora qkv r16,prompt tuning 20"] [--as-loaded]
Standard library only; the peer runs on /usr/bin/python3 (Debian's torch 1.13).
"""
import argparse
import os
import statistics
import sys

sys.dont_write_bytecode = True  # importing the sibling script leaves no __pycache__ in bench/
from cpu_speed_table import env_with, last_json, shape_args  # noqa: E402  (same folder: the shared runners)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PEER = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "bench", "reference_gpt.py"))
OPENMP_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
SHAPE = {"layers": 12, "dim": 768, "heads": 12, "ctx": 256, "vocab": 50257, "batch": 4}
# --llama: a Llama-shaped model of the same size (125M): GQA with 4 key/value heads, SwiGLU 2048,
# RoPE, an untied head over Llama's 32000-token vocabulary. Temper alone (the peer is GPT-2 only).
LLAMA_SHAPE = {"family": "llama", "layers": 12, "dim": 768, "heads": 12, "kv-heads": 4, "intermediate": 2048,
               "ctx": 256, "vocab": 32000, "batch": 4}
KINDS = {
    "full": [],
    "lora qkv r16": ["--lora-r", "16", "--lora-targets", "qkv"],
    "lora all-linear r16": ["--lora-r", "16", "--lora-targets", "all-linear"],
    "prompt tuning 20": ["--prompt-tokens", "20"],
    # Bottleneck adapters after every MLP (Pfeiffer), hidden / 16 = 48 units: the peer has no such mode.
    "adapters after-ffn reduction 16": ["--adapter-reduction", "16"],
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--temper", required=True)
    p.add_argument("--peer", default=DEFAULT_PEER)
    p.add_argument("--python", default="/usr/bin/python3")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--peer-core", default="Cooperlake", help="OPENBLAS_CORETYPE for the peer (the best for the CPU)")
    p.add_argument("--peer-settings", default="system,openmp", help="OpenBLAS builds the peer runs with")
    p.add_argument("--peer-kinds", default="full,lora qkv r16,prompt tuning 20",
                   help="kinds the peer also runs (comma list; empty: Temper alone)")
    p.add_argument("--llama", action="store_true", help="the Llama-shaped model instead, Temper alone")
    p.add_argument("--kinds", default=",".join(KINDS), help="Temper's kinds to run (comma list; full is always run)")
    p.add_argument("--as-loaded", action="store_true",
                   help="also each adapter kind with its frozen base kept in fp32 as loaded (`--frozen-as-loaded`): "
                        "the A/B of storing it in bf16 under bf16 autocast")
    a = p.parse_args()
    if a.llama:
        a.peer_kinds = ""
    if not os.path.exists(a.peer):
        sys.exit(f"peer not found: {a.peer} (../shared/bench is needed for this comparison)")
    shape = shape_args(LLAMA_SHAPE if a.llama else SHAPE) + ["--steps", str(a.steps), "--warmup", "2", "--threads", "2"]
    clean = env_with(OPENBLAS_CORETYPE=None, TEMPER_BLAS_RESTARTED_FROM=None)
    configs = []
    chosen = {"full"} | {k for k in a.kinds.split(",") if k}
    for kind, flags in KINDS.items():
        if kind not in chosen:
            continue
        configs.append((f"temper {kind}", kind, "temper",
                        lambda f=flags: last_json([a.temper, "bench", "train", *shape, *f, "--json"], clean)))
        if a.as_loaded and kind != "full":
            configs.append((f"temper {kind}, frozen as loaded", kind, "temper-as-loaded",
                            lambda f=flags: last_json([a.temper, "bench", "train", *shape, *f, "--frozen-as-loaded",
                                                       "--json"], clean)))
    peer_kinds = [k for k in a.peer_kinds.split(",") if k]
    for kind in peer_kinds:
        for blas in a.peer_settings.split(","):
            env = env_with(OPENBLAS_CORETYPE=a.peer_core)
            if blas == "openmp":
                env["LD_LIBRARY_PATH"] = OPENMP_DIR
            configs.append((f"peer {kind}, bf16, {blas} OpenBLAS", kind, "peer",
                            lambda f=KINDS[kind], e=env: last_json([a.python, a.peer, *shape, *f, "--bf16"], e)))
    results = {label: [] for label, _, _, _ in configs}
    for r in range(a.rounds):
        for label, _, _, run in configs:
            results[label].append(run())
            print(f"round {r + 1}: {label}: {results[label][-1]['tokens_per_s']:.0f} tok/s, "
                  f"{results[label][-1]['peak_rss_mb']:.0f} MB", file=sys.stderr)

    def med(label, field):
        return statistics.median(x[field] for x in results[label])

    full = "temper full"
    print("| configuration | trainable | tokens/s | step s | peak RSS MB | step / full | RSS / full |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, _, _, _ in configs:
        print(f"| {label} | {results[label][0]['trainable_params']:,} | {med(label, 'tokens_per_s'):,.0f} | "
              f"{med(label, 'median_step_s'):.3f} | {med(label, 'peak_rss_mb'):,.0f} | "
              f"{med(label, 'median_step_s') / med(full, 'median_step_s'):.2f} | "
              f"{med(label, 'peak_rss_mb') / med(full, 'peak_rss_mb'):.2f} |")
    print()
    for kind in peer_kinds:
        peers = [l for l, k, who, _ in configs if k == kind and who == "peer"]
        best = max(peers, key=lambda l: med(l, "tokens_per_s"))
        ratios = [t["tokens_per_s"] / q["tokens_per_s"] for t, q in zip(results[f"temper {kind}"], results[best])]
        print(f"{kind}: temper / best peer ({best.split(', ', 1)[1]}) = {statistics.median(ratios):.2f}x "
              f"(per round: {', '.join(f'{x:.2f}' for x in ratios)})")


if __name__ == "__main__":
    main()
