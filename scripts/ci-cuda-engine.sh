#!/usr/bin/env bash
# CI's second build (docs/gpu-engine.md): the engine against LibTorch 2.x with CUDA from the pinned
# PyPI wheel, compiled and linked, and the engine test suite run with it on the CPU (no GPU here).
# When the wheels cannot be fetched, says so plainly and leaves the Debian build's result standing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${TORCH_VENV:-.venv-torch}"

start=$(date +%s)
set +e
./scripts/setup-torch-wheel.sh "$venv" >/dev/null
rc=$?
set -e
if [ "$rc" -eq 3 ]; then
  echo "CI: the pinned torch wheel could not be fetched from PyPI, so the CUDA engine build was NOT"
  echo "CI: compiled or tested this time; the result of the Debian build (make test) stands alone."
  exit 0
fi
[ "$rc" -eq 0 ] || exit "$rc"
echo "CI: torch wheel ready in $(($(date +%s) - start)) s"

# The two `slow` tests (the Shakespeare recipe and the soft-prompt tasks, 3.6 min with 2.x) run in
# the Debian build only: CI's 90 minutes (docs/build.md). `make test-cuda-engine` by hand runs them.
make test-cuda-engine TORCH_VENV="$venv" CUDA_CTEST_FLAGS="-LE slow"
echo "CI: CUDA engine build and its tests took $(($(date +%s) - start)) s"
