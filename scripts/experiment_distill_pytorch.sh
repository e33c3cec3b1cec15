#!/usr/bin/env bash
# Runs scripts/experiment_distill_pytorch.py (TinyKd's `tinykd pipeline` recipe in PyTorch, same report schema)
# after scripts/install-pytorch.sh has made sure Debian's python3-torch and OpenBLAS are installed.
#   bash scripts/experiment_distill_pytorch.sh [--data sample|full|DIR] [--seeds 1,2,3] [--out DIR] [--quick] ...
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-pytorch.sh
exec /usr/bin/python3 scripts/experiment_distill_pytorch.py "$@"
