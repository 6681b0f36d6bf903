#!/usr/bin/env bash
# Screenshots of the studio's main pages (light and dark), offscreen, into <build>/screenshots:
#   scripts/studio-screenshots.sh [build-dir]
# They come from ui_shell_main_window_test (QWidget::grab), so they show what the tests drive.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "${1:-$root/build}" && pwd)
cmake --build "$build_dir" --target ui_shell_main_window_test
QT_QPA_PLATFORM=offscreen "$build_dir/bin/ui_shell_main_window_test" screenshotsOfTheMainPages >/dev/null
ls -1 "$build_dir/screenshots/"*.png
