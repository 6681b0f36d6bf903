#!/usr/bin/env bash
# The checks of docs/gpu-engine.md ("On a GPU") in one go, for a machine with an NVIDIA GPU and a
# CUDA torch in its Python (the lent device machines): builds the engine against that machine's own
# LibTorch, then
#   1. every engine test (the train key `device` defaults to auto, so runs train on CUDA; this
#      includes exact resume: ResumeFromCheckpointGivesIdenticalNextLosses);
#   2. GPT-2 124M training at ctx 1024 on CUDA (bf16 autocast: `precision` auto) with MFU by the
#      Python peer's formula (6 N + 12 L d T FLOPs per token) against the GPU's dense bf16 peak;
#   3. generation tokens/s of GPT-2 124M with and without the KV cache.
#
#   scripts/gpu-checks.sh [OUT_DIR]     (default: $OUT, else ./gpu-checks)
#
# Everything it prints also lands in OUT_DIR (summary.txt and one file per step).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-${OUT:-$root/gpu-checks}}"
mkdir -p "$out"
build="${GPU_BUILD_DIR:-$root/build-gpu}"
jobs="$(nproc)"
summary="$out/summary.txt"
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }

say "== machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | tee -a "$summary"
python3 -c 'import torch; print("python torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1 | tee -a "$summary"
prefix="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null)"
[ -n "$prefix" ] || { say "no torch in python3: nothing to build against"; exit 1; }

say "== build (Release, $jobs jobs) against $prefix"
start=$(date +%s)
if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTEMPER_BUILD_STUDIO=OFF \
     -DCMAKE_PREFIX_PATH="$prefix" >"$out/configure.log" 2>&1; then
  tail -n 30 "$out/configure.log" | tee -a "$summary"
  exit 1
fi
if ! cmake --build "$build" -j"$jobs" >"$out/build.log" 2>&1; then
  grep -E "error|Error" "$out/build.log" | head -n 30 | tee -a "$summary"
  exit 1
fi
say "built in $(($(date +%s) - start)) s"
temper="$build/bin/temper"
"$temper" info --json >"$out/info.json" 2>&1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("engine LibTorch", d["libtorch"], "cuda_build", d.get("cuda_build"), "device", d["device"])' "$out/info.json" | tee -a "$summary"

say "== GPT-2 124M, ctx 1024, bf16 autocast, CUDA"
bench_json="$out/bench-train-gpt2-124m.json"
"$temper" bench train --layers 12 --dim 768 --heads 12 --ctx 1024 --vocab 50304 --batch 16 --steps 30 --warmup 5 \
  --device cuda --json >"$bench_json" 2>"$out/bench-train.err"
python3 - "$bench_json" <<'EOF' | tee -a "$summary"
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
name = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True).stdout
# Dense bf16 tensor-core peaks (NVIDIA data sheets): H100 SXM and H200 989.4 TFLOP/s, H100 PCIe 756.
peak = 756e12 if "PCIe" in name else 989.4e12
print(f"tokens/s {d['tokens_per_s']:.0f}, {d['gflops_per_s'] / 1000:.1f} TFLOP/s, precision {d['precision']}, "
      f"MFU {d['gflops_per_s'] * 1e9 / peak:.1%} of {peak / 1e12:.0f} TFLOP/s ({name.strip()})")
EOF

say "== generation, GPT-2 124M shape, CUDA"
"$temper" bench generate --preset gpt2-124m --device cuda --json >"$out/bench-generate.json" 2>"$out/bench-generate.err"
cat "$out/bench-generate.json" | tee -a "$summary"

say "== engine tests (device auto: CUDA)"
start=$(date +%s)
(cd "$build" && ctest -j4 --output-on-failure >"$out/ctest.log" 2>&1)
grep -E "tests passed|FAILED|Failed|\*\*\*" "$out/ctest.log" | tee -a "$summary"
say "tests took $(($(date +%s) - start)) s"
