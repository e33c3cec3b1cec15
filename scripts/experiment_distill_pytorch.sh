#!/usr/bin/env bash
# Runs scripts/experiment_distill_pytorch.py (TinyKd's `tinykd pipeline` recipe in PyTorch, same report schema)
# after making sure Debian's python3-torch and OpenBLAS are installed: without libopenblas0-pthread, torch 1.13 from
# Debian runs its matrix products on the reference BLAS, tens of times slower.
#   bash scripts/experiment_distill_pytorch.sh [--data sample|full|DIR] [--seeds 1,2,3] [--out DIR] [--quick] ...
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for package in python3-torch libopenblas0-pthread; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

exec /usr/bin/python3 scripts/experiment_distill_pytorch.py "$@"
