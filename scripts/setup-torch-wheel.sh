#!/usr/bin/env bash
# Creates the virtual environment that carries LibTorch 2.x (CUDA) for the second engine build, from the
# pinned PyPI wheels of packaging/torch-wheel/requirements.txt, with the Python peers the tests and
# benchmarks compare against (peers.txt: transformers, peft, trl, ...), and prints the CMake prefix of
# its LibTorch.
#
#   scripts/setup-torch-wheel.sh [VENV_DIR]      (default .venv-torch in the checkout)
#
# Does nothing when the environment already holds the pinned torch. Exit codes: 0 ready (last line of
# stdout is the CMake prefix), 3 the wheels could not be fetched (no network, PyPI down: the caller
# decides whether that is fatal), 1 anything else.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-$root/.venv-torch}"
requirements="$root/packaging/torch-wheel/requirements.txt"
peers="$root/packaging/torch-wheel/peers.txt"
pinned="$(sed -n 's/^torch==//p' "$requirements")"

python="${TEMPER_PYTHON:-python3}"
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
  # Debian splits venv and ensurepip out of python3.
  echo "setup-torch-wheel: $python has no venv module; installing python3-venv" >&2
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends python3-venv >&2
fi

# The pins the environment was last made from: both files, so a changed pin reinstalls.
wanted="$(cat "$requirements" "$peers" 2>/dev/null | sha256sum | cut -d' ' -f1)"
stamp="$venv/.temper-requirements"

installed_version() {
  # The installed distribution's version, read without importing torch (which takes seconds).
  "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("torch").split("+")[0])' 2>/dev/null || true
}

if [ "$(installed_version)" != "$pinned" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "setup-torch-wheel: installing torch $pinned (the CUDA build: 5.3 GB installed) into $venv" >&2
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv" >&2
  log="$(mktemp)"
  files=(--requirement "$requirements")
  [ -f "$peers" ] && files+=(--requirement "$peers")
  if ! "$venv/bin/python" -m pip install --no-input "${files[@]}" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    if grep -qiE 'No matching distribution|Could not find a version|NewConnectionError|Max retries|Temporary failure in name resolution|Network is unreachable|timed out|ProxyError|SSLError|HTTP error' "$log"; then
      echo "setup-torch-wheel: the pinned wheels could not be fetched from PyPI (see above)" >&2
      rm -f "$log"
      exit 3
    fi
    rm -f "$log"
    echo "setup-torch-wheel: pip failed installing ${files[*]} (see above)" >&2
    exit 1
  fi
  rm -f "$log"
  if [ "$(installed_version)" != "$pinned" ]; then
    echo "setup-torch-wheel: torch in $venv is not $pinned after the install" >&2
    exit 1
  fi
  echo "$wanted" >"$stamp"
fi
"$venv/bin/python" -c 'import os, sysconfig; print(os.path.join(sysconfig.get_paths()["purelib"], "torch", "share", "cmake"))'
