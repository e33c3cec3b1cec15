#!/usr/bin/env python3
"""Compares `tinykd bench` with PyTorch on the same GEMMs, training steps and inference, and prints one table.

Run from the repository root with Debian's python3-torch (1.13; /usr/bin/python3, not a pyenv without torch) and
Debian's OpenBLAS as the BLAS behind it (libopenblas0-pthread; without it torch falls back to the slow reference
BLAS, and the header says so):

    /usr/bin/python3 scripts/compare_pytorch.py [--out bench-vs-pytorch.md] [--threads 2] [--quick]
    bash scripts/compare_pytorch.sh [same options]     # installs the two Debian packages first when missing

What it does, in one run:
  1. `dotnet run -c Release --project src/Cli -- bench --threads N --json F` gives TinyKd's numbers. The JSON lists
     every workload with its full shape (GEMM M, N, K and transposes; MLP widths and batch), so the PyTorch side
     runs exactly what TinyKd ran, and adding a row to `tinykd bench` adds it here.
  2. The PyTorch side runs in a fresh subprocess (OpenBLAS reads its settings when torch is imported) with the
     environment as it is, so OpenBLAS uses the core its own CPU detection picks on the machine at hand (Cooperlake
     on Zen 4 and AVX-512 Xeons, Haswell or Zen on AVX2-only CPUs); the header names the core each run used. With
     --coretype NAME it runs a second time with OPENBLAS_CORETYPE=NAME, the override for machines where detection
     picks slow SSE3 kernels, and the ratio refers to that run. No override is the default: a core the CPU cannot run
     (Cooperlake on an AVX2-only AMD) is not a tuned reference, and Debian's OpenBLAS 0.3.21 ignores unknown names
     anyway (it prints "Core not found" and falls back to detection; fixed upstream in 0.3.22). To compare the AVX2
     kernels of both engines on an AVX-512 machine: --kernels avx2 --coretype Zen (or Haswell; both known to 0.3.21).
  3. Threads: torch.set_num_threads(N) and, through ctypes, openblas_set_num_threads(N) (torch's setting does not
     reach OpenBLAS's own thread pool, which otherwise uses every core); the single-thread GEMM row uses 1 for both.
  4. Timing mirrors TinyKd's: warm up, then the median over repetitions of the mean time per call, each repetition
     long enough that microsecond calls are not lost in timer noise.

The table gives, per workload, TinyKd, each PyTorch run and TinyKd's speed relative to the last PyTorch run (the
override when given; PyTorch's time / TinyKd's time: above 1 means TinyKd is faster). --out also writes it as
Markdown. On a busy 2-core machine the numbers are noisy; compare ratios, not single timings.

The same workloads in both frameworks (B = batch, In/Out = layer widths):
  gemm     C = op(A)·op(B) with torch.mm(..., out=C); forward x·Wᵀ, dX = dY·W, dW = dYᵀ·X of the teacher's layers
  train    nn.Sequential(Linear, ReLU, ..., Linear), cross-entropy, zero_grad, backward, Adam(lr=1e-3) step
  distill  the student's step on 0.9·T²·KL(softmax(t/T) ‖ softmax(s/T)) + 0.1·CE, T = 4, teacher logits given
  infer    model.eval() forward under torch.no_grad() (also the dense twins of the sparse rows, one layer or a model)
  int8     torch.ao.quantization.quantize_dynamic(model, {Linear}, qint8) forward under torch.no_grad()
  sparse   not run (see SKIPPED_KINDS): their PyTorch column shows "—"
  path     TinyKd's GEMMs on its other kernel path: not rerun in PyTorch ("—")
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

from torch_blas import Blas

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Pruned models served sparse: PyTorch has no counterpart to time (torch.nn.utils.prune keeps a dense weight and a
# mask, so a pruned PyTorch model runs at its dense twin's speed, which the "infer" rows already time). "path" rows
# repeat TinyKd's GEMMs on its other kernel path (AVX2 on an AVX-512 machine): the GEMM rows already time PyTorch.
SKIPPED_KINDS = ("sparse", "model", "path")

# (warm-up seconds, repetitions, seconds per repetition), as BenchBudget in src/Cli/Bench/MedianTimer.cs.
BUDGETS = {"standard": (0.15, 7, 0.02), "quick": (0.005, 3, 0.001)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="also write the table as Markdown to this file")
    parser.add_argument("--threads", type=int, default=2, help="threads for both frameworks (default 2)")
    parser.add_argument("--coretype", help="also run with OPENBLAS_CORETYPE=NAME and compare against that run "
                        "(default: only OpenBLAS's own detection)")
    parser.add_argument("--kernels", choices=("avx512", "avx2", "scalar"),
                        help="TinyKd's kernel path (default: the widest here); with --coretype Zen or Haswell on an "
                        "AVX-512 machine, both engines run their AVX2 kernels")
    parser.add_argument("--quick", action="store_true", help="much shorter, noisier timings")
    parser.add_argument("--tinykd-json", help="use this `tinykd bench --json` file instead of running the bench")
    parser.add_argument("--worker", nargs=2, metavar=("BENCH_JSON", "OUT_JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    budget = BUDGETS["quick" if args.quick else "standard"]

    if args.worker:
        run_worker(args.worker[0], args.worker[1], budget)
        return

    with tempfile.TemporaryDirectory(prefix="tinykd-compare-") as tmp:
        bench_json = args.tinykd_json or os.path.join(tmp, "tinykd.json")
        if not args.tinykd_json:
            command = ["dotnet", "run", "-c", "Release", "--project", "src/Cli", "--",
                       "bench", "--threads", str(args.threads), "--json", bench_json] + (["--quick"] if args.quick else []) \
                + (["--kernels", args.kernels] if args.kernels else [])
            print("$ " + " ".join(command), flush=True)
            if subprocess.run(command, cwd=REPO).returncode != 0:
                sys.exit("compare_pytorch: `tinykd bench` failed; see its output above")
        with open(bench_json, encoding="utf-8") as f:
            tinykd = json.load(f)

        settings = [("PyTorch (OpenBLAS detection)", {})]
        if args.coretype:
            settings.append((f"PyTorch (OPENBLAS_CORETYPE={args.coretype})", {"OPENBLAS_CORETYPE": args.coretype}))
        torch_runs = []
        for label, extra in settings:
            out_json = os.path.join(tmp, f"torch-{len(torch_runs)}.json")
            env = dict(os.environ, **extra)
            print(f"\n{label}: running the same workloads ...", flush=True)
            command = [sys.executable, os.path.abspath(__file__), "--worker", bench_json, out_json] + (["--quick"] if args.quick else [])
            if subprocess.run(command, env=env, cwd=REPO).returncode != 0:
                sys.exit(f"compare_pytorch: the PyTorch run '{label}' failed; see its output above")
            with open(out_json, encoding="utf-8") as f:
                torch_runs.append((label, json.load(f)))

    markdown = render(tinykd, torch_runs)
    print("\n" + markdown)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(markdown)
        print(f"wrote {args.out}")


# ---------------------------------------------------------------------------------------------------------------
# The PyTorch side (a subprocess, so OPENBLAS_* variables are read fresh when torch loads OpenBLAS).

def run_worker(bench_json, out_json, budget):
    import torch  # imported here: the parent sets OPENBLAS_CORETYPE before this process starts

    with open(bench_json, encoding="utf-8") as f:
        bench = json.load(f)
    blas = Blas()
    results = []
    for row in bench["results"]:
        if row["kind"] in SKIPPED_KINDS:
            continue
        threads = row["threads"]
        torch.set_num_threads(threads)
        blas.set_threads(threads)
        seconds = time_workload(torch, row, budget)
        results.append({"id": row["id"], "seconds": seconds, "threads": threads})
        print(f"  {row['what']:<40} {format_time(seconds):>10}", file=sys.stderr, flush=True)
    info = {"torch": torch.__version__, "blas": blas.describe(), "coretype_env": os.environ.get("OPENBLAS_CORETYPE")}
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump({"info": info, "results": results}, f, indent=1)


def time_workload(torch, row, budget):
    import torch.nn.functional as F

    torch.manual_seed(1)
    kind = row["kind"]
    if kind == "gemm":
        m, n, k = row["m"], row["n"], row["k"]
        a = torch.rand(k, m) * 2 - 1 if row["transpose_a"] else torch.rand(m, k) * 2 - 1
        b = torch.rand(n, k) * 2 - 1 if row["transpose_b"] else torch.rand(k, n) * 2 - 1
        op_a = a.t() if row["transpose_a"] else a
        op_b = b.t() if row["transpose_b"] else b
        c = torch.empty(m, n)
        return median_seconds(lambda: torch.mm(op_a, op_b, out=c), budget)

    sizes = [int(s) for s in row["model"].split("-")]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    batch = row["batch"]
    x = torch.rand(batch, sizes[0])
    labels = torch.randint(0, sizes[-1], (batch,))

    if kind == "infer":
        model.eval()
        with torch.no_grad():
            return median_seconds(lambda: model(x), budget)

    if kind == "int8":
        # PyTorch's own dynamic int8: qint8 weights per tensor, activations quantized per call (fbgemm on x86).
        model.eval()
        quantized = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        with torch.no_grad():
            return median_seconds(lambda: quantized(x), budget)

    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    if kind == "train":
        def step():
            logits = model(x)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return median_seconds(step, budget)

    if kind == "distill":
        temperature, alpha = row["temperature"], row["alpha"]
        teacher_logits = torch.rand(batch, sizes[-1]) * 10 - 5

        def distill_step():
            logits = model(x)
            soft = F.kl_div(F.log_softmax(logits / temperature, dim=1), F.softmax(teacher_logits / temperature, dim=1),
                            reduction="batchmean")
            loss = soft * (alpha * temperature * temperature) + F.cross_entropy(logits, labels) * (1 - alpha)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return median_seconds(distill_step, budget)

    raise ValueError(f"unknown workload kind '{kind}' in row {row['id']}")


def median_seconds(body, budget):
    """Warm up, then the median over repetitions of the mean time per call (as src/Cli/Bench/MedianTimer.cs)."""
    warmup_seconds, repetitions, repetition_seconds = budget
    calls, start = 0, time.perf_counter_ns()
    while True:
        body()
        calls += 1
        warm = (time.perf_counter_ns() - start) / 1e9
        if calls >= 2 and warm >= warmup_seconds:
            break
    inner = max(1, min(1_000_000, math.ceil(repetition_seconds / (warm / calls))))
    per_call = []
    for _ in range(repetitions):
        begin = time.perf_counter_ns()
        for _ in range(inner):
            body()
        per_call.append((time.perf_counter_ns() - begin) / 1e9 / inner)
    return statistics.median(per_call)


# ---------------------------------------------------------------------------------------------------------------
# The table.

def format_time(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


def cell(row, seconds):
    """Time per call plus the rate that matters for the kind of workload."""
    if seconds is None:
        return "—"
    if row["kind"] in ("gemm", "path"):
        return f"{format_time(seconds)} ({row['flops'] / seconds / 1e9:.1f} GFLOP/s)"
    if row["kind"] in ("infer", "int8") + SKIPPED_KINDS:
        return f"{format_time(seconds)} ({row['batch'] / seconds:,.0f} samples/s)"
    return f"{seconds * 1e3:.2f} ms/step"


def render(tinykd, torch_runs):
    machine, peak = tinykd["machine"], tinykd["peak"]
    lines = ["# TinyKd vs PyTorch", ""]
    lines.append(f"- TinyKd: {machine.get('cpu_model', 'CPU not recorded')}, kernels {machine['kernel_path']}, {machine['threads']} threads, {machine['runtime']} on {machine['os']}, "
                 f"{machine['processor_count']} logical processors")
    if "microarchitecture" in machine:
        lines.append(f"- CPU: {machine['microarchitecture']}; GEMM on {machine['kernel_path']}: {machine['gemm']}")
    if peak.get("vector_bits"):
        lines.append(f"- Measured FP32 FMA peak (Vector{peak['vector_bits']}): {peak['single_core_gflops']:.1f} GFLOP/s on 1 core, "
                     f"{peak['all_cores_gflops']:.1f} GFLOP/s on {peak['threads']} threads")
    for label, run in torch_runs:
        info = run["info"]
        lines.append(f"- {label}: torch {info['torch']}, {info['blas']}")
    lines.append("- Ratio: the last PyTorch run's time ÷ TinyKd's time (above 1 = TinyKd faster); medians of repetitions after a warm-up")
    lines.append("")

    reference_label = torch_runs[-1][0]
    header = ["what", "threads", "TinyKd"] + [label for label, _ in torch_runs] + [f"TinyKd speed ÷ {reference_label}"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    by_id = [{r["id"]: r["seconds"] for r in run["results"]} for _, run in torch_runs]
    for row in tinykd["results"]:
        theirs = [seconds.get(row["id"]) for seconds in by_id]
        reference = theirs[-1]
        ratio = f"{reference / row['seconds']:.2f}×" if reference else "—"
        wrong = " (TinyKd result WRONG)" if row.get("valid") is False else ""
        lines.append("| " + " | ".join([row["what"] + wrong, str(row["threads"]), cell(row, row["seconds"])]
                                       + [cell(row, s) for s in theirs] + [ratio]) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
