#!/usr/bin/env bash
# The GPU check of issue 14, run on the device machine (see prepare.sh): unpacks the self-contained tinykd, then
#  1. trains the same MLP on the embedded sample on the CPU backend and on DEVICE (default cuda) and prints both
#     test accuracies and wall times — the first run of ILGPU 1.5.3 on the GPU (ILGPU issue #1540 reports a crash on
#     H100/H200 with 1.5.1);
#  2. times the same train step in PyTorch eager on CUDA (scripts/device/torch_step.py), TF32 off.
# Everything it prints is also written under $OUT (or ./device-out). DEVICE=ilgpu-cpu MODEL=784-16-10 EPOCHS=1
# checks the script itself on a machine without a GPU.
set -uo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-device-out}"; mkdir -p "$out"
device="${DEVICE:-cuda}"; model="${MODEL:-784-1200-1200-10}"; epochs="${EPOCHS:-2}"; batch="${BATCH:-128}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
tar -xJf artifacts/device/tinykd-linux-x64.tar.xz -C "$work"
tinykd="$work/publish/tinykd"
log="$out/gpu-check.log"
{
    echo "# $(date -u +%FT%TZ) device=$device model=$model epochs=$epochs batch=$batch"
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
    for d in cpu "$device"; do
        echo "## tinykd train --device $d"
        start=$(date +%s%N)
        "$tinykd" train --device "$d" --model "$model" --dropout 0 --epochs "$epochs" --batch-size "$batch" \
            --out "$work/model-$d.tkd" 2>&1 | grep -E "epoch|test|accuracy|error|tinykd" | tail -8
        echo "exit ${PIPESTATUS[0]}, wall $(( ($(date +%s%N) - start) / 1000000 )) ms"
    done
    if python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
        echo "## PyTorch eager, same step"
        python3 scripts/device/torch_step.py --model "$model" --batch "$batch"
    else
        echo "## PyTorch CUDA not available: step timing skipped"
    fi
} 2>&1 | tee "$log"
