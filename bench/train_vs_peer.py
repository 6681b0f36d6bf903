#!/usr/bin/env python3
"""Training throughput of `temper bench train` against the Python peer, A/B alternating.

Runs the engine and ../shared/bench/reference_gpt.py one after the other, `--rounds` times, with
the same shapes, and prints each measurement, the medians and the median of the per-round ratios
(engine / peer). The peer runs at every setting given by --peer-settings (BLAS build : torch
threads; `system` is Debian's libblas.so.3 alternative, `openmp` OpenBLAS's OpenMP build through
LD_LIBRARY_PATH) and is compared at its best median, as the project's benchmark rule asks.
Standard library only.

Usage: bench/train_vs_peer.py --temper build/bin/temper [--rounds 5] [--peer-settings system:1,system:2,openmp:2]
       [--engine-threads 0] [--layers 4 --dim 256 --heads 4 --ctx 256 --vocab 4096 --batch 8 --steps 20]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PEER = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "bench", "reference_gpt.py"))


def run_json(command, env=None):
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--temper", required=True)
    p.add_argument("--peer", default=DEFAULT_PEER)
    p.add_argument("--python", default="/usr/bin/python3")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--peer-settings", default="system:1,system:2,openmp:2")
    p.add_argument("--openmp-blas-dir", default="/usr/lib/x86_64-linux-gnu/openblas-openmp")
    p.add_argument("--engine-threads", default="0")
    for name, default in [("layers", 4), ("dim", 256), ("heads", 4), ("ctx", 256), ("vocab", 4096),
                          ("batch", 8), ("steps", 20)]:
        p.add_argument("--" + name, type=int, default=default)
    a = p.parse_args()
    if not os.path.exists(a.peer):
        sys.exit(f"peer not found: {a.peer} (../shared/bench is needed for this comparison)")
    shape = []
    for name in ("layers", "dim", "heads", "ctx", "vocab", "batch", "steps"):
        shape += ["--" + name, str(getattr(a, name))]

    peer_settings = a.peer_settings.split(",")
    engine_settings = [int(t) for t in a.engine_threads.split(",")]
    results = {("temper", t): [] for t in engine_settings}
    results.update({("peer", t): [] for t in peer_settings})
    for round_index in range(a.rounds):
        for t in engine_settings:
            r = run_json([a.temper, "bench", "train", *shape, "--threads", str(t), "--json"])
            results[("temper", t)].append(r["tokens_per_s"])
            print(f"round {round_index + 1} temper threads={t} (torch {r['threads']}, blas {r['blas_threads']}): "
                  f"{r['tokens_per_s']:.0f} tok/s, {r['gflops_per_s']:.1f} GFLOP/s", flush=True)
        for setting in peer_settings:
            blas, threads = setting.split(":")
            env = dict(os.environ)
            if blas == "openmp":
                env["LD_LIBRARY_PATH"] = a.openmp_blas_dir
            r = run_json([a.python, a.peer, *shape, "--threads", threads], env=env)
            results[("peer", setting)].append(r["tokens_per_s"])
            print(f"round {round_index + 1} peer {setting}: {r['tokens_per_s']:.0f} tok/s, "
                  f"{r['gflops_per_s']:.1f} GFLOP/s", flush=True)

    medians = {k: statistics.median(v) for k, v in results.items()}
    best_peer = max(peer_settings, key=lambda t: medians[("peer", t)])
    best_engine = max(engine_settings, key=lambda t: medians[("temper", t)])
    ratios = [e / p for e, p in zip(results[("temper", best_engine)], results[("peer", best_peer)])]
    summary = {
        "shape": dict(zip(shape[0::2], shape[1::2])),
        "rounds": a.rounds,
        "medians_tokens_per_s": {f"{k[0]} {k[1]}": round(v, 1) for k, v in medians.items()},
        "best_peer_setting": best_peer,
        "engine_threads": best_engine,
        "median_ratio_engine_over_best_peer": round(statistics.median(ratios), 3),
        "ratios": [round(r, 3) for r in ratios],
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
