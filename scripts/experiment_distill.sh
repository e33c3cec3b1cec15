#!/usr/bin/env bash
# The full-set distillation experiment (issue 5): TinyKd's `pipeline` on the whole of Fashion-MNIST for 3 seeds,
# both scenarios (all 54,000 labels; 10,000 labelled + 50,000 unlabelled), with the T/α search, writing
# results/tinykd-full/report.{md,json,html}. scripts/experiment_distill_pytorch.sh runs the same recipe in PyTorch
# and writes results/pytorch-full/ in the same format, so the two tables can be read side by side.
#
#   scripts/experiment_distill.sh [extra pipeline options, e.g. --seeds 1,2,3,4,5]
#
# Installs the full data set (Debian package dataset-fashion-mnist) when it is missing. 41 minutes on 2 cores while
# the PyTorch experiment ran beside it. The kept models (first seed) land in results/tinykd-full/models (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d /usr/share/datasets/fashion-mnist ] || bash scripts/install-full-data.sh
dotnet run -c Release --project src/Cli -- pipeline --data full --seeds 1,2,3 --report results/tinykd-full "$@"
