#!/usr/bin/env python3
"""Issue 10's table on this machine: BLAS kernels, bf16, and Temper against the Python peer.

Prints, as Markdown, medians over --rounds rounds in which every configuration runs once, in turn
(A/B alternating, so that a noisy neighbour hits all of them alike):

  1. matrix-product peaks on --threads threads (Debian's python3-torch): fp32 sgemm 2048^3 with the
     core OpenBLAS picks by itself and with the best core for this CPU, and bf16 2048^3 (oneDNN);
  2. the small shape (4 x 256, ctx 256, vocab 4096, batch 8) and a GPT-2 124M shape (12 x 768,
     ctx 256, vocab 8192, batch 4): `temper bench train` at its defaults (it picks the OpenBLAS core
     and the precision itself), Temper in fp32 with OpenBLAS forced to Prescott (what a CPU that
     OpenBLAS does not know got before issue 10), and ../shared/bench/reference_gpt.py at each
     setting of --peer-settings, the peer's OPENBLAS_CORETYPE set right by hand;
  3. per shape: Temper at its defaults against the peer at its best median (median of per-round
     ratios), and the share of the bf16 peak that training reaches by the peer's FLOP formula.

Usage: bench/cpu_speed_table.py --temper build/bin/temper [--rounds 3] [--threads 2]
       [--shapes small,124m] [--peer-settings fp32:system:1,bf16:system:2,bf16:openmp:2]
Standard library only; the peer and the peaks run on /usr/bin/python3 (Debian's torch 1.13).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PEER = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "bench", "reference_gpt.py"))
OPENMP_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp"

SHAPES = {
    "small": {"layers": 4, "dim": 256, "heads": 4, "ctx": 256, "vocab": 4096, "batch": 8, "steps": 12},
    "124m": {"layers": 12, "dim": 768, "heads": 12, "ctx": 256, "vocab": 8192, "batch": 4, "steps": 5},
}

PEAK_CODE = """
import json, sys, time, torch
n, threads, dtype = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
torch.set_num_threads(threads)
dt = torch.bfloat16 if dtype == "bf16" else torch.float32
a, b = torch.randn(n, n).to(dt), torch.randn(n, n).to(dt)
a @ b
times = []
for _ in range(5):
    t = time.perf_counter(); a @ b; times.append(time.perf_counter() - t)
print(json.dumps({"gflops_per_s": 2 * n ** 3 / min(times) / 1e9}))
"""


def env_with(**changes):
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def last_json(command, env):
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def shape_args(shape):
    args = []
    for name, value in shape.items():
        args += ["--" + name, str(value)]
    return args


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--temper", required=True)
    p.add_argument("--peer", default=DEFAULT_PEER)
    p.add_argument("--python", default="/usr/bin/python3")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--shapes", default="small,124m")
    p.add_argument("--peer-settings", default="fp32:system:1,bf16:system:2,bf16:openmp:2",
                   help="precision:blas:threads, blas = system (libblas.so.3) or openmp (OpenBLAS's OpenMP build)")
    a = p.parse_args()
    if not os.path.exists(a.peer):
        sys.exit(f"peer not found: {a.peer} (../shared/bench is needed for this comparison)")

    clean = env_with(OPENBLAS_CORETYPE=None, TEMPER_BLAS_RESTARTED_FROM=None, TEMPER_TEST_BLAS_FALLBACK=None)
    info = json.loads(subprocess.run([a.temper, "info", "--json"], check=True, capture_output=True, text=True,
                                     env=clean).stdout)
    core = info["device"]["blas_core"]
    best = core.get("best_core") or ""
    cpu = info["device"]["cpu"]
    print(f"CPU: {cpu['model_name']} ({cpu['vendor']} family {cpu['family']} model {cpu['model']}): "
          f"{' '.join(cpu['features'])}")
    print(f"OpenBLAS: {core.get('openblas_core')} ({core.get('how')}); best core for this CPU: {best}\n")
    best_env = env_with(OPENBLAS_CORETYPE=best) if best else clean

    configs = [
        ("sgemm 2048³ fp32, OpenBLAS's own core", "peak",
         lambda: last_json([a.python, "-c", PEAK_CODE, "2048", str(a.threads), "fp32"], clean)),
        (f"sgemm 2048³ fp32, OPENBLAS_CORETYPE={best}", "peak",
         lambda: last_json([a.python, "-c", PEAK_CODE, "2048", str(a.threads), "fp32"], best_env)),
        ("matmul 2048³ bf16 (oneDNN)", "peak",
         lambda: last_json([a.python, "-c", PEAK_CODE, "2048", str(a.threads), "bf16"], clean)),
    ]
    for shape_name in a.shapes.split(","):
        shape = SHAPES[shape_name]
        sargs = shape_args(shape)
        configs.append((f"{shape_name}: temper, defaults", shape_name + ":temper",
                        lambda s=sargs: last_json([a.temper, "bench", "train", *s, "--json"], clean)))
        configs.append((f"{shape_name}: temper fp32, OpenBLAS forced to Prescott", shape_name + ":old",
                        lambda s=sargs: last_json([a.temper, "bench", "train", *s, "--precision", "fp32", "--json"],
                                                  env_with(OPENBLAS_CORETYPE="Prescott",
                                                           TEMPER_BLAS_RESTARTED_FROM=None,
                                                           TEMPER_TEST_BLAS_FALLBACK=None))))
        for setting in a.peer_settings.split(","):
            precision, blas, threads = setting.split(":")
            env = dict(best_env)
            if blas == "openmp":
                env["LD_LIBRARY_PATH"] = OPENMP_DIR
            flags = ["--threads", threads] + (["--bf16"] if precision == "bf16" else [])
            configs.append((f"{shape_name}: peer {precision}, {blas} BLAS, {threads} thread(s)", shape_name + ":peer",
                            lambda s=sargs, f=flags, e=env: last_json([a.python, a.peer, *s, *f], e)))

    results = {label: [] for label, _, _ in configs}
    for r in range(a.rounds):
        for label, _, run in configs:
            value = run()
            figure = value.get("tokens_per_s", value.get("gflops_per_s"))
            results[label].append(value)
            print(f"round {r + 1}: {label}: {figure:,.1f}", file=sys.stderr, flush=True)

    def median(label, field):
        return statistics.median(v[field] for v in results[label])

    print("| measurement | median | unit |\n| --- | ---: | --- |")
    for label, kind, _ in configs:
        if kind == "peak":
            print(f"| {label} | {median(label, 'gflops_per_s'):,.0f} | GFLOP/s |")
        else:
            extra = ""
            if "temper" in label:
                extra = f" ({results[label][0].get('precision')})"
            print(f"| {label}{extra} | {median(label, 'tokens_per_s'):,.0f} | tok/s "
                  f"({median(label, 'gflops_per_s'):,.0f} GFLOP/s) |")
    bf16_peak = median("matmul 2048³ bf16 (oneDNN)", "gflops_per_s")
    print()
    for shape_name in a.shapes.split(","):
        temper_label = next(l for l, k, _ in configs if k == shape_name + ":temper")
        peers = [l for l, k, _ in configs if k == shape_name + ":peer"]
        best_peer = max(peers, key=lambda l: median(l, "tokens_per_s"))
        ratios = [t["tokens_per_s"] / q["tokens_per_s"] for t, q in zip(results[temper_label], results[best_peer])]
        share = median(temper_label, "gflops_per_s") / bf16_peak
        print(f"{shape_name}: temper / best peer ({best_peer.split(': ')[1]}) = {statistics.median(ratios):.2f}x "
              f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)}); training reaches {share:.0%} of the bf16 "
              f"matmul peak ({bf16_peak:,.0f} GFLOP/s)")


if __name__ == "__main__":
    main()
