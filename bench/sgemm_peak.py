#!/usr/bin/env python3
"""The machine's fp32 matrix-product peak through the BLAS LibTorch uses (median of repeats).

Usage: /usr/bin/python3 bench/sgemm_peak.py [--size 2048] [--repeats 10] [--threads 1]
Prints JSON with gflops_per_s. The denominator for 'share of sgemm peak' in benchmark reports.
"""
import argparse, json, statistics, time
import torch

p = argparse.ArgumentParser()
p.add_argument("--size", type=int, default=2048)
p.add_argument("--repeats", type=int, default=10)
p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (OpenBLAS keeps its own)")
a = p.parse_args()
torch.set_num_threads(a.threads)
x = torch.randn(a.size, a.size)
y = torch.randn(a.size, a.size)
torch.mm(x, y)
times = []
for _ in range(a.repeats):
    t0 = time.perf_counter()
    torch.mm(x, y)
    times.append(time.perf_counter() - t0)
median = statistics.median(times)
print(json.dumps({"size": a.size, "median_s": round(median, 5),
                  "gflops_per_s": round(2 * a.size ** 3 / median / 1e9, 1),
                  "best_gflops_per_s": round(2 * a.size ** 3 / min(times) / 1e9, 1)}))
