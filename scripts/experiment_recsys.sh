#!/usr/bin/env bash
# The MovieLens recommender-distillation experiment (issue 6): TinyKd's `recsys pipeline` on MovieLens latest-small
# (exported from Debian's r-cran-dslabs by scripts/export-movielens.sh when missing) for seeds 1, 2, 3, writing
# results/tinykd-recsys/report.{md,json,html}. scripts/experiment_recsys_pytorch.sh runs the same recipe in PyTorch
# and writes results/pytorch-recsys/ in the same JSON schema, so the two tables can be read side by side.
#
#   scripts/experiment_recsys.sh [extra pipeline options, e.g. --seeds 1,2,3,4,5]
#
# The kept models (first seed) land in results/tinykd-recsys/models (git-ignored). MovieLens may not be
# redistributed: the CSV stays in data/movielens/ (git-ignored) and the reports hold metrics only.
set -euo pipefail
cd "$(dirname "$0")/.."
csv=data/movielens/movielens.csv
[ -f "$csv" ] || bash scripts/export-movielens.sh "$csv"
start=$(date +%s)
dotnet run -c Release --project src/Cli -- recsys pipeline --data "$csv" --seeds 1,2,3 --report results/tinykd-recsys "$@"
echo "experiment_recsys.sh: $(( $(date +%s) - start )) s"
