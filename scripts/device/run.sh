#!/usr/bin/env bash
# The GPU check of issue 14, run on the device machine (see prepare.sh) as one script of at most ~8 minutes (each
# stage has a time limit). It unpacks the self-contained tinykd, then
#  0. compiles each kernel's PTX (artifacts/device/ptx, written by prepare.sh) with ptxas for sm_90 and prints its
#     registers, stack frame and spills;
#  1. trains the same MLP on the embedded sample on the CPU backend and on DEVICE (default cuda) and prints both
#     test accuracies and wall times — the first run of ILGPU 1.5.3 on the GPU (ILGPU issue #1540 reports a crash on
#     H100/H200 with 1.5.1);
#  2. `tinykd bench --device DEVICE`: SGEMM (tiled, register-blocked 4×4 and 8×8) at 1024–8192² and the teacher's layer
#     products, the teacher's train step and the student's KD step at batch 128 and 1024, GFLOP/s (JSON under $OUT);
#  3. the same rows in PyTorch eager on the same device, TF32 off (compare_torch.py: torch.matmul — cuBLAS FP32 — and
#     the torch_step.py steps), with the ratio PyTorch time ÷ TinyKd time of each and the issue's targets;
#  4. `tinykd pipeline --device DEVICE` once (PIPELINE_ARGS, default --no-search: T 4, α 0.5), the report's
#     markdown and JSON copied under $OUT.
# Everything it prints is also written to $OUT/gpu-check.log (OUT defaults to ./device-out). Settings (environment):
# DEVICE, MODEL, EPOCHS, BATCH (stage 1); BENCH_ARGS (extra `tinykd bench` options); PIPELINE_ARGS; TORCH_DEVICE
# (cuda when DEVICE is cuda, else cpu); PYTHON (the python3 with torch); TRAIN_SECONDS, BENCH_SECONDS, TORCH_SECONDS, PIPELINE_SECONDS (the limits).
# scripts/README.md shows how to check the whole script without a GPU (DEVICE=ilgpu-cpu and tiny settings).
set -uo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-device-out}"; mkdir -p "$out"; out="$(cd "$out" && pwd)"
device="${DEVICE:-cuda}"; model="${MODEL:-784-1200-1200-10}"; epochs="${EPOCHS:-2}"; batch="${BATCH:-128}"
bench_args="${BENCH_ARGS:-}"; pipeline_args="${PIPELINE_ARGS:---no-search}"
python="${PYTHON:-python3}"
torch_device="${TORCH_DEVICE:-$([ "$device" = cuda ] && echo cuda || echo cpu)}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
tar -xJf artifacts/device/tinykd-linux-x64.tar.xz -C "$work"
tinykd="$work/publish/tinykd"
log="$out/gpu-check.log"

# ILGPU opens the CUDA driver as "libcuda.so", a name a container may lack beside libcuda.so.1: link it in a folder
# of our own put first on the search path (the same driver library, found by the loader's cache or the driver's mount).
cuda_lib="$(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 /{print $NF; exit}')"
[ -n "$cuda_lib" ] || cuda_lib="$(find /usr/local/nvidia /usr/lib/x86_64-linux-gnu /usr/lib64 -name libcuda.so.1 2>/dev/null | head -n 1)"
if [ -n "$cuda_lib" ]; then
    mkdir -p "$work/lib" && ln -s "$cuda_lib" "$work/lib/libcuda.so"
    export LD_LIBRARY_PATH="$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

# Runs a stage under a time limit and prints its exit status and wall time ("exit 124": the limit was reached).
timed() {
    local limit=$1; shift
    local start; start=$(date +%s%N)
    timeout "$limit" "$@"
    echo "exit $?, wall $(( ($(date +%s%N) - start) / 1000000 )) ms"
}

{
    echo "# $(date -u +%FT%TZ) device=$device model=$model epochs=$epochs batch=$batch torch=$torch_device"
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
    echo "CUDA driver library: ${cuda_lib:-not found}"
    PATH="$PATH:/usr/local/cuda/bin"
    if [ -d artifacts/device/ptx ] && command -v ptxas >/dev/null; then
        echo "## ptxas -arch=sm_90 -v on each kernel's PTX (registers per thread, stack, spills)"
        for f in artifacts/device/ptx/*.ptx; do
            printf '%s: ' "$(basename "$f" .ptx)"
            timeout 20 ptxas -arch=sm_90 -v "$f" -o "$work/kernel.cubin" 2>&1 | grep -oE "[0-9]+ registers|[0-9]+ bytes (stack frame|spill stores|spill loads|smem)|error.*" | paste -sd, -
        done
    fi
    for d in cpu "$device"; do
        echo "## tinykd train --device $d"
        timed "${TRAIN_SECONDS:-45}" "$tinykd" train --device "$d" --model "$model" --dropout 0 --epochs "$epochs" --batch-size "$batch" \
            --out "$work/model-$d.tkd" > "$work/train-$d.txt" 2>&1
        grep -E "epoch|test|accuracy|error|tinykd|training on|^exit " "$work/train-$d.txt" | tail -9
    done

    echo "## tinykd bench --device $device $bench_args"
    # shellcheck disable=SC2086 # BENCH_ARGS is a list of options
    timed "${BENCH_SECONDS:-150}" "$tinykd" bench --device "$device" $bench_args --json "$out/bench-device.json"

    echo "## PyTorch eager on $torch_device, the same rows (PyTorch time ÷ TinyKd time: above 1, TinyKd is faster)"
    if ! "$python" -c "import torch" 2>/dev/null; then
        echo "PyTorch is not installed: comparison skipped"
    elif [ "$torch_device" = cuda ] && ! "$python" -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
        echo "PyTorch has no CUDA device: comparison skipped"
    elif [ ! -s "$out/bench-device.json" ]; then
        echo "no bench JSON (the bench failed above): comparison skipped"
    else
        timed "${TORCH_SECONDS:-90}" "$python" scripts/device/compare_torch.py "$out/bench-device.json" --device "$torch_device"
    fi

    echo "## tinykd pipeline --device $device $pipeline_args"
    # shellcheck disable=SC2086 # PIPELINE_ARGS is a list of options
    timed "${PIPELINE_SECONDS:-150}" "$tinykd" pipeline --device "$device" $pipeline_args --report "$work/report" > "$work/pipeline.txt" 2>&1
    grep -vE "^\s*$" "$work/pipeline.txt" | grep -vE "^\|" | tail -n 30
    for f in report.md report.json; do [ -f "$work/report/$f" ] && cp "$work/report/$f" "$out/pipeline-$f"; done
} 2>&1 | tee "$log"
