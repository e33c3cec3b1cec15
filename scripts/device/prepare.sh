#!/usr/bin/env bash
# Prepares the GPU check (issue 14) on this machine, for a device machine that has CUDA and PyTorch but no .NET:
# publishes the tinykd CLI self-contained and untrimmed for linux-x64 (ILGPU must not be trimmed) and packs it as
# artifacts/device/tinykd-linux-x64.tar.xz (~33 MB; the published folder is ~91 MB, over the 64 MiB a device run
# may carry), and writes each GPU kernel's PTX for sm_90 under artifacts/device/ptx (for ptxas there). Then, from the
# repository root:
#   device run, carry ["artifacts/device"], command: bash scripts/device/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=artifacts/device
rm -rf "$out/publish" && mkdir -p "$out"
dotnet publish src/Cli -c Release -r linux-x64 --self-contained -p:PublishTrimmed=false -o "$out/publish" >/dev/null
tar -cJf "$out/tinykd-linux-x64.tar.xz.tmp" -C "$out" publish
mv -f "$out/tinykd-linux-x64.tar.xz.tmp" "$out/tinykd-linux-x64.tar.xz"
rm -rf "$out/publish"
# Each kernel's PTX for sm_90 as ILGPU's PTX backend writes it (the CI test that compiles them), for run.sh's ptxas.
rm -rf "$out/ptx" && mkdir -p "$out/ptx"
TINYKD_PTX_OUT="$PWD/$out/ptx" dotnet test tests -c Release --filter "FullyQualifiedName~PtxCompileTests" >/dev/null
ls "$out/ptx" | wc -l
ls -l "$out/tinykd-linux-x64.tar.xz"
