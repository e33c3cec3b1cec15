#!/usr/bin/env bash
# Runs scripts/compare_pytorch.py (TinyKd's `tinykd bench` against PyTorch on the same workloads) after
# scripts/install-pytorch.sh has made sure Debian's python3-torch and OpenBLAS are installed.
#   bash scripts/compare_pytorch.sh [--out bench-vs-pytorch.md] [--threads 2] [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-pytorch.sh
exec /usr/bin/python3 scripts/compare_pytorch.py "$@"
