#!/usr/bin/env bash
# Installs what the PyTorch comparison scripts need, when missing: Debian's python3-torch (1.13, run with
# /usr/bin/python3) and OpenBLAS (libopenblas0-pthread) — without it torch 1.13 from Debian runs its matrix products
# on the reference BLAS, tens of times slower, and no timing or long experiment means anything.
set -euo pipefail
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
