"""Reruns every row of a `tinykd bench --device ... --json FILE` report in PyTorch eager on the same device (TF32 off;
scripts/device/torch_step.py) and prints each pair with the ratio PyTorch time ÷ TinyKd time (above 1: TinyKd is
faster). GEMM rows run torch.matmul at the row's shape and transposes (cuBLAS FP32 on CUDA); train and KD rows run the
same MLP step, and for those the kernels one step launches in each. The issue's targets are printed beside the table: SGEMM 4096³ (each register-blocked kernel) ≥ 0.5× cuBLAS, the
train steps at batch 128 ≥ 1.0× PyTorch eager.
Usage: python3 scripts/device/compare_torch.py BENCH.json [--device cuda|cpu]"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_step  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("bench_json")
parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
args = parser.parse_args()

with open(args.bench_json, encoding="utf-8") as f:
    report = json.load(f)
name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "the CPU"
print(f"TinyKd on {report['device']} ({report['device_name']}) vs torch {torch.__version__} eager on {name}, TF32 off")
print(f"{'what':<48} {'TinyKd':>11} {'PyTorch':>11} {'TinyKd GF/s':>12} {'PyTorch GF/s':>13} {'PyTorch÷TinyKd':>15} {'kernels/step':>13}")
ratios = {}
for row in report["results"]:
    kernels = ""
    if row["kind"] == "gemm":
        seconds = torch_step.matmul_seconds(row["m"], row["n"], row["k"], row["transpose_a"], row["transpose_b"], args.device)
    elif row["kind"] in ("train", "distill"):
        distill = row["kind"] == "distill"
        seconds = torch_step.step_seconds(row["model"], row["batch"], args.device, distill=distill)
        theirs = torch_step.kernels_per_step(row["model"], row["batch"], args.device, distill=distill)
        kernels = f"{row.get('kernel_launches', '?')} vs {theirs if theirs is not None else '?'}"
    else:
        continue
    ratio = seconds / row["seconds"]
    ratios[row["id"]] = ratio
    print(f"{row['what']:<48} {row['seconds'] * 1e3:>8.3f} ms {seconds * 1e3:>8.3f} ms {row['flops'] / row['seconds'] / 1e9:>12.1f} "
          f"{row['flops'] / seconds / 1e9:>13.1f} {ratio:>14.2f}× {kernels:>13}")
print("kernels/step: kernels one step launches, TinyKd (its count) vs PyTorch (torch.profiler, copies and memsets left out)")
for target, row_id, goal in [("SGEMM 4096³, blocked 4×4, vs cuBLAS FP32", "gemm_4096_blocked", 0.5),
                             ("SGEMM 4096³, blocked 8×8, vs cuBLAS FP32", "gemm_4096_blocked8x8", 0.5),
                             ("teacher train step b128 vs PyTorch eager", "train_teacher_b128", 1.0),
                             ("student KD step b128 vs PyTorch eager", "distill_student_b128", 1.0)]:
    if row_id in ratios:
        verdict = "met" if ratios[row_id] >= goal else "not met"
        print(f"target: {target}: {ratios[row_id]:.2f}× (goal ≥ {goal}×): {verdict}")
