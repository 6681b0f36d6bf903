#!/usr/bin/env bash
# Installs the Debian packages Temper builds and runs with, only those that are missing.
# Uses sudo when not root. Everything Temper needs is a Debian 12 package: no downloads of our own.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config make clang-format-14
  libtorch-dev libgloo-dev libopenblas0-pthread libopenblas0-openmp
  libsentencepiece-dev libsqlite3-dev zlib1g-dev nlohmann-json3-dev libcli11-dev libpcre2-dev
  libgtest-dev libgmock-dev
  qt6-base-dev libqt6sql6-sqlite qt6-tools-dev qt6-l10n-tools qt6-tools-dev-tools linguist-qt6
  libqcustomplot-dev libqcustomplot2.1-qt6 qt6-svg-dev
  xvfb xauth
  python3-torch python3-sentencepiece python3-regex
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing missing Debian packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
