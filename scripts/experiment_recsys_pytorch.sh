#!/usr/bin/env bash
# Runs scripts/recsys_pytorch.py (the shared recommender-distillation recipe in PyTorch, TinyKd's report schema)
# after scripts/install-pytorch.sh has made sure Debian's python3-torch and OpenBLAS are installed.
#   bash scripts/experiment_recsys_pytorch.sh [--data data/movielens/movielens.csv] [--seeds 1,2,3] [--epochs 15]
#        [--out results/pytorch-recsys] [--threads 2] [--models teacher,mf,...] [--quick] | --self-test
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-pytorch.sh
args=("$@")
case " $* " in
  *" --data "* | *" --data="* | *" --self-test "*) ;;
  *) args=(--data data/movielens/movielens.csv "${args[@]}") ;;
esac
exec /usr/bin/python3 scripts/recsys_pytorch.py "${args[@]}"
