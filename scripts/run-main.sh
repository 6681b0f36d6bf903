#!/usr/bin/env bash
# `make run`: the main job — the studio when there is a display, else the headless demo.
set -euo pipefail
build_dir=${1:-build}
if [ -x "$build_dir/bin/temper-studio" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$build_dir/bin/temper-studio"
fi
exec "$(dirname "$0")/demo.sh" "$build_dir"
