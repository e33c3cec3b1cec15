#!/usr/bin/env python3
"""Runs TinyKd's distillation experiment (`tinykd pipeline`) in PyTorch and writes the same report, to diff the two.

Run from the repository root with Debian's python3-torch (1.13; /usr/bin/python3, not a pyenv without torch) and
Debian's OpenBLAS as the BLAS behind it (libopenblas0-pthread; without it torch falls back to the slow reference
BLAS, and the machine line of the report says so). scripts/experiment_distill_pytorch.sh installs both first:

    bash scripts/experiment_distill_pytorch.sh [options]               # installs the two Debian packages when missing
    /usr/bin/python3 scripts/experiment_distill_pytorch.py [options]

    --data sample|full|DIR   the embedded sample (data/fashion-mnist-sample, 10k/2k), the Debian set
                             (/usr/share/datasets/fashion-mnist, 60k/10k) or a folder with the four IDX files
    --data TRAIN.csv --test TEST.csv [--label COLUMN]   your own table, read as `tinykd pipeline` reads it: a header
                             row, numeric features, the label in the last column or COLUMN (integer class indices, or
                             strings mapped to classes in sorted order); per-feature standardisation
    --splits splits.json     train on exactly the rows `tinykd pipeline` used (its report folder's splits.json)
    --keep-best              end each model with its best validation epoch instead of its last (as tinykd --keep-best)
    --seeds 1,2,3            one full run per seed; tables give mean ± sample std over them
    --out DIR                report.json and report.md (default results/pytorch-<data>)
    --threads 2              torch.set_num_threads and OpenBLAS's own pool (through ctypes)
    --teacher-epochs, --student-epochs, --labelled, --student 128 (hidden widths, or all widths 784-128-10)
    --no-search [--temperature 4 --alpha 0.5]   one distilled student per seed instead of the T×α search
    --scenario all|few|both  which scenarios to run (default both)
    --prune 0.5,0.8,0.9,0.95 sparsities of the pruned stage; --prune-epochs N (default student epochs // 2);
                             --no-prune skips it
    --no-int8                skip the int8 stage (torch quantize_dynamic of the distilled and the pruned-90 % student)
    --quick                  smoke test: 1 teacher epoch, 2 student epochs, T ∈ {1, 4}, α ∈ {0.5}, pruned to 90 %
                             with 1 fine-tuning epoch

    e.g. /usr/bin/python3 scripts/experiment_distill_pytorch.py --data sample --seeds 1,2      # a few minutes
         bash scripts/experiment_distill_pytorch.sh --data full --seeds 1,2,3               # ~40 min on 2 cores

The recipe (the same as `tinykd pipeline`):
  Data       pixels / 255 as float32, 784 features; one global mean and (population) std over every pixel of the
             whole training set, applied to train and test.
  Scenarios  "all labels": a random round(10%) of the training set is validation, the other 90% is trained on.
             "few labels": N random training images are labelled (--labelled; default 10000 full, 2000 sample);
             a random round(10%) of them is validation, the other 90% ("train-labelled") is what the teacher and the
             student alone train on; the transfer set is train-labelled plus every image outside the N, the latter
             with label -1. Validation rows are never trained on. Splits: numpy.random.default_rng(seed), fresh per
             scenario.
  Tables     (--data X.csv) per-feature population mean and std of the training rows, a std below 1e-6 taken as 1,
             applied to train and test; widths F-1200-1200-C and F-128-C from the data.
  Models     teacher 784-1200-1200-10, ReLU, dropout 0.5 after each hidden ReLU; student 784-128-10 ReLU;
             PyTorch's default Linear init; torch.manual_seed(seed) right before each model is built, so within a
             seed the student alone and every distilled student start from the same weights.
  Training   Adam lr 1e-3 (default betas/eps, no weight decay), batch 128, reshuffled every epoch, last partial
             batch kept; before every step lr = 0.5·1e-3·(1 + cos(π·s/S)), s = steps taken, S = epochs × batches.
             Teacher and student alone: cross-entropy on the labelled training rows. After every epoch the
             validation accuracy (eval mode) is recorded (the curve); the final model is the last epoch's weights
             (--keep-best: the best epoch's, earliest on ties). Train time covers the epochs and their validation passes.
  Distilled  teacher logits computed once in eval mode over the transfer set and cached (not in its train time);
             loss = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) (batchmean) + (1−α)·CE over the batch's labelled rows
             (0 when there are none). Same optimizer and schedule as the student alone.
  Budget     the same number of optimizer steps: the distilled student runs E epochs over the transfer set; the
             teacher and the student alone, trained on the labelled rows only, run ceil(E·|transfer|/|labelled|)
             epochs (with all labels the sets are the same and nothing changes).
  Search     T ∈ {1, 2, 4, 8} × α ∈ {0.1, 0.5, 0.9}, one distilled student per pair and seed; the pair with
             the highest validation accuracy of its kept weights, averaged over the seeds, is chosen (ties to the
             first with T then α ascending); the "student distilled" row reports its test metrics over all seeds.
  Pruned     (scripts/pytorch_prune.py) per seed, the chosen distilled student is deep-copied for each sparsity s
             of --prune and pruned ONE-SHOT with torch.nn.utils.prune.global_unstructured (prune.L1Unstructured,
             amount=s: one |w| ranking over the weights of every Linear but the last; the output layer and all biases
             stay dense, as in TinyKd), then fine-tuned by train() above with the same KD loss, T, α, cached teacher
             logits, transfer set and validation split, a fresh Adam lr 1e-3 and the cosine schedule, batch 128, for
             --prune-epochs epochs (best validation epoch kept; torch.manual_seed(seed) first). Torch prune's forward
             pre-hook multiplies by the mask, so pruned weights stay 0; prune.remove then makes it permanent. Rows
             "student pruned 90%" follow "student distilled". TinyKd prunes gradually in 8×1 blocks and serves the
             result sparse; torch.nn.utils.prune has no sparse form, so a pruned row's model bytes are those of the
             dense state_dict and it runs the same dense kernels; its parameters are the nonzero weights and biases.
             The scenario's "pruning" list holds, per sparsity, the per-seed paired (pruned − distilled) test
             accuracy in points: mean (changePoints) and sample std (spreadPoints; 0 for one seed).
  Int8       (scripts/pytorch_int8.py) per seed, the chosen distilled student and its pruned copy at the largest
             sparsity ≤ 90 % are quantized after training with torch.ao.quantization.quantize_dynamic (qint8 weights
             per tensor, activations per call, fbgemm), as TinyKd's int8 stage quantizes them (7-bit weights per
             row, dynamic u8 activations). Rows "student int8" and "student pruned 90% int8", with their paired
             (int8 − distilled) change in the "pruning" list; model bytes = the int8 state_dict.
  Metrics    test accuracy; macro-F1 (mean of per-class 2PR/(P+R), 0 when P+R = 0); ECE with 15 equal-width bins
             ((m−1)/M, m/M] over the max softmax probability (0 goes to the first bin); parameters; model bytes =
             the size of torch.save(model.state_dict()); µs per sample = median of 300 single-sample forwards under
             torch.no_grad() after 50 warm-up ones (mean over seeds); samples/s at batch 256 = 256 / the median of 20
             no-grad forwards of a 256-row test block after ≥ 0.25 s of warm-up (mean over seeds); sparsity = the
             fraction of zero weights in all layers but the output layer (0 for dense models; mean over seeds);
             train seconds (mean over seeds; for a pruned row, pruning + fine-tuning).
  Verdict    paired by seed: g_k = accuracy (distilled) − accuracy (student alone) for seed k, in points;
             gain = mean of g_k, spread = sample std of g_k; "wins" if gain > spread, "loses" if gain < −spread,
             else "ties"; one seed is "undecided".

report.json has the camelCase schema of TinyKd's PipelineReport (src/Distill/Reports/PipelineReport.cs); accuracies,
F1 and ECE are fractions. On a busy 2-core machine the timings are noisy; accuracies are what should match.
"""
import argparse
import copy
import csv
import gzip
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time

import numpy as np

import pytorch_int8
import pytorch_prune
from report_files import write_report
from torch_blas import Blas

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE_DIR = os.path.join(REPO, "data", "fashion-mnist-sample")
FULL_DIR = "/usr/share/datasets/fashion-mnist"
TEACHER = "784-1200-1200-10"  # on a table: F-1200-1200-C
TEACHER_DROPOUT = 0.5
LEARNING_RATE = 1e-3
BATCH = 128
VALIDATION_FRACTION = 0.1
ECE_BINS = 15
TEMPERATURES = (1.0, 2.0, 4.0, 8.0)
ALPHAS = (0.1, 0.5, 0.9)
LATENCY_WARMUP, LATENCY_REPEATS = 50, 300
EVAL_BATCH = 2048

torch = None  # imported in main(), after OPENBLAS_NUM_THREADS is set
F = None
KEEP_BEST = False  # --keep-best


def main():
    started = time.perf_counter()
    args = parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)  # read by OpenBLAS when torch loads it
    global torch, F
    import torch as _torch
    import torch.nn.functional as _F
    torch, F = _torch, _F
    torch.set_num_threads(args.threads)
    blas = Blas()
    blas.set_threads(args.threads)

    global KEEP_BEST, TEACHER
    KEEP_BEST = args.keep_best
    table = args.data.lower().endswith(".csv")
    if table:
        data_label, data_dir = os.path.splitext(os.path.basename(args.data))[0], args.data
        train_x, train_y, test_x, test_y, class_names = load_csv(args.data, args.test, args.label)
    else:
        data_label, data_dir = resolve_data(args.data)
        train_x, train_y, test_x, test_y = load_fashion(data_dir)
        class_names = None
    features, classes = train_x.shape[1], int(train_y.max()) + 1
    TEACHER = f"{features}-1200-1200-{classes}"
    student_arch = args.student if args.student.count("-") >= 2 else f"{features}-{args.student}-{classes}"
    widths = [int(w) for w in student_arch.split("-")]
    if widths[0] != features or widths[-1] != classes or min(widths) < 1:
        sys.exit(f"--student {args.student}: the data have {features} features and {classes} classes")
    splits = load_splits(args.splits) if args.splits else None
    full = train_x.shape[0] > 20000
    teacher_epochs = args.teacher_epochs or (1 if args.quick else 15 if full else 10)
    student_epochs = args.student_epochs or (2 if args.quick else 40 if full else 20)
    labelled = args.labelled or (10000 if full else 2000)
    if not 10 <= labelled <= train_x.shape[0]:
        sys.exit(f"--labelled {labelled} must be between 10 and the training set's {train_x.shape[0]} images")
    if args.no_search:
        grid = [(args.temperature, args.alpha)]
    elif args.quick:
        grid = [(1.0, 0.5), (4.0, 0.5)]
    else:
        grid = [(t, a) for t in TEMPERATURES for a in ALPHAS]
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    # The pruned stage: --quick prunes to 90% only, with 1 epoch of fine-tuning, unless told otherwise.
    if args.no_prune:
        sparsities = []
    elif args.prune is not None:
        sparsities = args.prune
    else:
        sparsities = [0.9] if args.quick else list(pytorch_prune.PRUNE_SPARSITIES)
    prune_epochs = args.prune_epochs if args.prune_epochs is not None else 1 if args.quick else student_epochs // 2
    out_dir = args.out or os.path.join("results", f"pytorch-{data_label}")

    # Images: one population mean/std over every pixel of the training set; tables: one per feature (in double).
    pixels = train_x.astype(np.float64)
    axis = 0 if table else None
    mean = pixels.mean(axis=axis)
    std = np.sqrt(np.maximum(0.0, (pixels * pixels).mean(axis=axis) - mean * mean))
    del pixels
    mean32, std32 = np.float32(mean), np.float32(np.where(std >= 1e-6, std, 1.0))
    train_x = ((train_x - mean32) / std32).astype(np.float32)
    test_x = ((test_x - mean32) / std32).astype(np.float32)
    X = torch.from_numpy(np.ascontiguousarray(train_x, dtype=np.float32))
    Y = torch.from_numpy(train_y.astype(np.int64))
    Xt = torch.from_numpy(np.ascontiguousarray(test_x, dtype=np.float32))
    Yt = torch.from_numpy(test_y.astype(np.int64))

    machine = (f"{os.cpu_count()} logical processors, {platform.system()} {platform.release()}, {platform.machine()}; "
               f"torch {torch.__version__}, {args.threads} threads, {blas.describe()}")
    shown_dir = os.path.relpath(data_dir, REPO) if os.path.abspath(data_dir).startswith(REPO + os.sep) else data_dir
    data_desc = (f"{shown_dir} + {args.test}: {X.shape[0]} training and {Xt.shape[0]} test rows, {features} features, "
                 f"{classes} classes, per-feature standardisation" if table else
                 f"Fashion-MNIST {data_label} ({shown_dir}): {X.shape[0]} training and {Xt.shape[0]} test images, "
                 f"784 features, global standardisation (mean {float(mean):.4f}, std {float(std):.4f})")
    recipe = (f"Adam lr {LEARNING_RATE:g}, batch {BATCH}, cosine decay per step to 0, teacher {teacher_epochs} epochs, "
              f"students {student_epochs} epochs, {'best-validation-epoch' if KEEP_BEST else 'last-epoch'} weights, "
              f"validation {VALIDATION_FRACTION:.0%} "
              f"of the labelled images, PyTorch {torch.__version__}")
    if not args.no_int8:
        recipe += ("; int8 students: the distilled student (and its pruned copy at the largest sparsity ≤ 90 %) "
                   "quantized with torch.ao.quantization.quantize_dynamic (qint8, fbgemm)")
    if sparsities:
        recipe += (f"; pruned students: each distilled student pruned one-shot (torch.nn.utils.prune, global L1) to "
                   f"{', '.join(f'{100 * s:g} %' for s in sparsities)} with {prune_epochs} epochs of KD fine-tuning")
    print(f"Data: {data_desc}")
    print(f"Recipe: {recipe}")
    print(f"Machine: {machine}")
    print(f"Seeds {seeds}; distillation grid {[f'T {t:g}, α {a:g}' for t, a in grid]}; writing to {out_dir}", flush=True)

    n = X.shape[0]
    scenarios = []
    all_desc = (f"A random 10% of the {n} training images is validation; teacher, student alone and distilled student "
                f"train on the other {n - round(n * VALIDATION_FRACTION)}.")
    n_val_few = round(labelled * VALIDATION_FRACTION)
    few_desc = (f"{labelled} random training images are labelled: {n_val_few} validate, teacher and student alone train "
                f"on the other {labelled - n_val_few}; the distilled student learns from those plus the "
                f"{n - labelled} unlabelled images (teacher logits only).")
    chosen_scenarios = {"all": ("all labels",), "few": ("few labels",), "both": ("all labels", "few labels")}[args.scenario]
    for name, description in (("all labels", all_desc), ("few labels", few_desc)):
        if name in chosen_scenarios:
            scenarios.append(run_scenario(name, description, X, Y, Xt, Yt, seeds, labelled, teacher_epochs, student_epochs,
                                          student_arch, grid, not args.no_search, sparsities, prune_epochs,
                                          not args.no_int8, classes, splits))

    title = f"Knowledge distillation on {data_label}" if table else "Knowledge distillation on Fashion-MNIST"
    report = {"title": f"{title} (PyTorch reference)", "data": data_desc,
              "recipe": recipe, "seeds": seeds, "scenarios": scenarios,
              "wallSeconds": time.perf_counter() - started, "machine": machine}
    write_report(out_dir, report, render_markdown(report))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="sample", help="sample, full, a folder of Fashion-MNIST IDX files (default sample) or a training CSV")
    parser.add_argument("--test", help="the test CSV when --data is a CSV file")
    parser.add_argument("--label", help="the label column of CSV data (default: the last column)")
    parser.add_argument("--splits", help="splits.json of a `tinykd pipeline` report: train on exactly its rows")
    parser.add_argument("--keep-best", action="store_true", help="end each model with its best validation epoch instead of its last")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds (default 1,2,3)")
    parser.add_argument("--out", help="output folder (default results/pytorch-<data>)")
    parser.add_argument("--threads", type=int, default=2, help="torch and OpenBLAS threads (default 2)")
    parser.add_argument("--teacher-epochs", type=int, help="default 15 (full), 10 (sample), 1 (--quick)")
    parser.add_argument("--student-epochs", type=int, help="default 40 (full), 20 (sample), 2 (--quick)")
    parser.add_argument("--labelled", type=int, help="labelled images of the few-labels scenario (default 10000 full, 2000 sample)")
    parser.add_argument("--student", default="128", help="student hidden widths, or all widths input to output (default 128)")
    parser.add_argument("--no-search", action="store_true", help="one distilled student with --temperature and --alpha")
    parser.add_argument("--temperature", type=float, default=4.0, help="T with --no-search (default 4)")
    parser.add_argument("--alpha", type=float, default=0.5, help="α with --no-search (default 0.5)")
    parser.add_argument("--scenario", choices=("all", "few", "both"), default="both",
                        help="all labels, few labels or both (default both)")
    parser.add_argument("--prune", type=sparsity_list, help="sparsities of the pruned stage (default 0.5,0.8,0.9,0.95; 0.9 with --quick)")
    parser.add_argument("--prune-epochs", type=int, help="KD fine-tuning epochs of each pruned student (default student epochs // 2; 1 with --quick)")
    parser.add_argument("--no-prune", action="store_true", help="skip the pruned stage")
    parser.add_argument("--no-int8", action="store_true", help="skip the int8 stage (torch quantize_dynamic of the "
                        "distilled student and of its pruned copy at the largest sparsity ≤ 90 %%)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 teacher epoch, 2 student epochs, T ∈ {1, 4}, α = 0.5, "
                        "pruned to 90%% with 1 epoch")
    args = parser.parse_args()
    if args.prune_epochs is not None and args.prune_epochs < 1:
        parser.error(f"--prune-epochs {args.prune_epochs}: must be ≥ 1 (train() keeps the best fine-tuning epoch)")
    if args.data.lower().endswith(".csv") != (args.test is not None):
        parser.error("--test names the test CSV of --data X.csv, and a CSV needs it")
    if not 0 <= args.alpha <= 1 or args.temperature <= 0:
        parser.error("--alpha must be in [0, 1] and --temperature positive")
    return args


def sparsity_list(text):
    """--prune: distinct sparsities in (0, 1), comma-separated."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        values = []
    if not values or any(not 0 < v < 1 for v in values) or len(set(values)) != len(values):
        raise argparse.ArgumentTypeError(f"'{text}': distinct sparsities in (0, 1) separated by commas")
    return values


# ---------------------------------------------------------------------------------------------------------------
# Data.

def resolve_data(data):
    if data.lower() == "sample":
        return "sample", SAMPLE_DIR
    if data.lower() == "full":
        return "full", FULL_DIR
    if not os.path.isdir(data):
        sys.exit(f"--data {data}: no such folder (use sample, full or a folder of the four Fashion-MNIST IDX files)")
    return os.path.basename(os.path.normpath(data)) or "data", data


def load_fashion(directory):
    def find(prefix, kind):
        for sep in ("-", "."):
            for ext in (".gz", ""):
                path = os.path.join(directory, f"{prefix}{sep}{kind}{ext}")
                if os.path.isfile(path):
                    return path
        hint = " (scripts/install-full-data.sh installs the full set)" if directory == FULL_DIR else ""
        sys.exit(f"{directory}: no {prefix}-{kind}[.gz]{hint}")

    def read(path, magic):
        with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as f:
            raw = f.read()
        found = int.from_bytes(raw[:4], "big")
        if found != magic:
            sys.exit(f"{path}: IDX magic {found:#010x}, expected {magic:#010x}")
        dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(magic & 0xFF)]
        return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)

    out = []
    for prefix in ("train", "t10k"):
        images = read(find(prefix, "images-idx3-ubyte"), 0x803)
        labels = read(find(prefix, "labels-idx1-ubyte"), 0x801)
        if images.shape[0] != labels.shape[0]:
            sys.exit(f"{directory}: {prefix} has {images.shape[0]} images but {labels.shape[0]} labels")
        out += [images.reshape(images.shape[0], -1).astype(np.float32) / np.float32(255), labels.astype(np.int64)]
    return out


def load_csv(train_path, test_path, label):
    """A table as `tinykd pipeline` reads it: (train_x, train_y, test_x, test_y, class names or None). Integer labels
    are class indices; string labels become classes in ordinal sorted order, the test file mapped with the training
    file's classes."""
    def read(path):
        with open(path, newline="", encoding="utf-8") as f:
            rows = [row for row in csv.reader(f) if row]
        header = [c.strip() for c in rows[0]]
        column = header.index(label) if label else len(header) - 1
        x = np.array([[float(v) for i, v in enumerate(row) if i != column] for row in rows[1:]], dtype=np.float32)
        return header, x, [row[column].strip() for row in rows[1:]]
    header, train_x, train_labels = read(train_path)
    test_header, test_x, test_labels = read(test_path)
    if header != test_header:
        sys.exit(f"{test_path} has other columns than {train_path}")
    if all(v.lstrip("-").isdigit() for v in train_labels):
        return train_x, np.array(train_labels, dtype=np.int64), test_x, np.array(test_labels, dtype=np.int64), None
    names = sorted(set(train_labels))
    index = {name: c for c, name in enumerate(names)}
    return (train_x, np.array([index[v] for v in train_labels], dtype=np.int64), test_x,
            np.array([index[v] for v in test_labels], dtype=np.int64), names)


def load_splits(path):
    """{scenario name: {seed: (labelled rows, validation rows, transfer rows)}} from a tinykd splits.json."""
    with open(path, encoding="utf-8") as f:
        content = json.load(f)
    return {name: {int(seed): (np.array(rows["labelled"]), np.array(rows["validation"]), np.array(rows["transfer"]))
                   for seed, rows in seeds.items()} for name, seeds in content["scenarios"].items()}


def split_indices(name, n, seed, labelled, splits=None):
    """(labelled training rows, validation rows, transfer rows, which transfer rows keep their label) for one seed:
    tinykd's rows when splits (load_splits) are given, else drawn here."""
    if splits is not None:
        train, val, transfer = splits[name][seed]
        return train, val, transfer, np.isin(transfer, train)
    rng = np.random.default_rng(seed)
    if name == "all labels":
        order = rng.permutation(n)
        n_val = round(n * VALIDATION_FRACTION)
        val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
        return train, val, train, np.ones(len(train), dtype=bool)
    order = rng.permutation(n)
    chosen, unlabelled = order[:labelled], np.sort(order[labelled:])
    n_val = round(labelled * VALIDATION_FRACTION)
    inner = rng.permutation(labelled)
    val, train = np.sort(chosen[inner[:n_val]]), np.sort(chosen[inner[n_val:]])
    transfer = np.concatenate([train, unlabelled])
    mask = np.concatenate([np.ones(len(train), dtype=bool), np.zeros(len(unlabelled), dtype=bool)])
    return train, val, transfer, mask


# ---------------------------------------------------------------------------------------------------------------
# Models, training and metrics.

def build_mlp(arch, dropout):
    widths = [int(w) for w in arch.split("-")]
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i + 2 < len(widths):
            layers.append(torch.nn.ReLU())
            if dropout > 0:
                layers.append(torch.nn.Dropout(dropout))
    return torch.nn.Sequential(*layers)


def logits_of(model, x):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + EVAL_BATCH]) for i in range(0, x.shape[0], EVAL_BATCH)])


def accuracy_of(model, x, y):
    return (logits_of(model, x).argmax(1) == y).double().mean().item()


def train(model, x, y, val_x, val_y, epochs, teacher_logits=None, temperature=None, alpha=None):
    """Trains in place; returns (per-epoch validation accuracies, kept epoch index, seconds): the last epoch's weights,
    or with KEEP_BEST the best epoch's (earliest on ties). y = -1: unlabelled."""
    started = time.perf_counter()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    n = x.shape[0]
    batches = (n + BATCH - 1) // BATCH
    total_steps = epochs * batches
    step = 0
    curve, best, best_state = [], -1.0, None
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n)
        for b in range(batches):
            idx = order[b * BATCH:(b + 1) * BATCH]
            xb, yb = x[idx], y[idx]
            lr = 0.5 * LEARNING_RATE * (1 + math.cos(math.pi * step / total_steps))
            for group in optimizer.param_groups:
                group["lr"] = lr
            logits = model(xb)
            if teacher_logits is None:
                loss = F.cross_entropy(logits, yb)
            else:
                tb = teacher_logits[idx]
                soft = F.kl_div(F.log_softmax(logits / temperature, dim=1), F.softmax(tb / temperature, dim=1),
                                reduction="batchmean")
                loss = alpha * temperature * temperature * soft
                if alpha < 1 and bool((yb >= 0).any()):
                    loss = loss + (1 - alpha) * F.cross_entropy(logits, yb, ignore_index=-1)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
        accuracy = accuracy_of(model, val_x, val_y)
        curve.append(accuracy)
        if accuracy > best:
            best, best_state = accuracy, copy.deepcopy(model.state_dict())
    if KEEP_BEST:
        model.load_state_dict(best_state)
    model.eval()
    return curve, int(np.argmax(curve)) if KEEP_BEST else len(curve) - 1, time.perf_counter() - started


def test_metrics(model, x, y, classes=10):
    logits = logits_of(model, x).double()
    probs = torch.softmax(logits, dim=1).numpy()
    pred = probs.argmax(1)
    labels = y.numpy()
    accuracy = float((pred == labels).mean())
    f1s = []
    for c in range(classes):
        tp = float(((pred == c) & (labels == c)).sum())
        predicted, support = float((pred == c).sum()), float((labels == c).sum())
        p = tp / predicted if predicted else 0.0
        r = tp / support if support else 0.0
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    confidence = probs[np.arange(len(pred)), pred]
    bins = np.clip(np.ceil(confidence * ECE_BINS).astype(int) - 1, 0, ECE_BINS - 1)
    ece = 0.0
    for m in range(ECE_BINS):
        in_bin = bins == m
        if in_bin.any():
            ece += abs(float((pred[in_bin] == labels[in_bin]).sum()) - float(confidence[in_bin].sum())) / len(labels)
    return {"accuracy": accuracy, "macroF1": float(np.mean(f1s)), "ece": ece}


def model_bytes(model):
    with tempfile.TemporaryDirectory(prefix="tinykd-torch-") as tmp:
        path = os.path.join(tmp, "model.pt")
        torch.save(model.state_dict(), path)
        return os.path.getsize(path)


def microseconds_per_sample(model, x):
    model.eval()
    times = []
    with torch.no_grad():
        for i in range(LATENCY_WARMUP + LATENCY_REPEATS):
            row = x[i % x.shape[0]:i % x.shape[0] + 1]
            begin = time.perf_counter_ns()
            model(row)
            if i >= LATENCY_WARMUP:
                times.append((time.perf_counter_ns() - begin) / 1e3)
    return statistics.median(times)


def measure(model, test_x, test_y, curve, best_epoch, seconds, parameters=None, classes=10):
    """Test metrics, size and speed of a trained model. parameters: every weight and bias unless given (a pruned
    model passes its nonzero count); sparsity: zero weights in all layers but the output layer (0.0 when dense)."""
    result = test_metrics(model, test_x, test_y, classes)
    result.update(curve=curve, validation=curve[best_epoch], bestEpoch=best_epoch + 1, seconds=seconds,
                  parameters=sum(p.numel() for p in model.parameters()) if parameters is None else parameters,
                  modelBytes=model_bytes(model), microseconds=microseconds_per_sample(model, test_x),
                  samplesPerSecond=pytorch_prune.samples_per_second(model, test_x),
                  sparsity=pytorch_prune.layer_sparsity(model))
    return result


# ---------------------------------------------------------------------------------------------------------------
# A scenario over the seeds.

def run_scenario(name, description, X, Y, Xt, Yt, seeds, labelled, teacher_epochs, student_epochs, student_arch, grid, searched,
                 sparsities, prune_epochs, quantize, classes=10, splits=None):
    print(f"\n== {name}: {description}", flush=True)
    runs = {"teacher": [], "student alone": []}
    cells = {pair: [] for pair in grid}
    pruned = {sparsity: [] for sparsity in sparsities}
    int8_pruned_sparsity = pytorch_int8.int8_sparsity(sparsities) if quantize else None
    int8 = {None: [], int8_pruned_sparsity: []} if quantize else {}
    per_seed = []  # per seed: (seed, transfer rows and labels, validation rows, teacher logits, distilled students by pair)

    def report(seed, role, arch, settings, result):
        print(f"[seed {seed}] {name:<10} {role:<17} {arch:<16} {settings:<14} val {result['validation']:.2%} "
              f"(epoch {result['bestEpoch']}/{len(result['curve'])} kept)  test {result['accuracy']:.2%}  "
              f"{result['seconds']:.1f} s", flush=True)

    for seed in seeds:
        train_rows, val_rows, transfer_rows, transfer_mask = split_indices(name, X.shape[0], seed, labelled, splits)
        tx, ty = X[train_rows], Y[train_rows]
        vx, vy = X[val_rows], Y[val_rows]
        print(f"[seed {seed}] {len(train_rows)} labelled training rows, {len(val_rows)} validation rows, "
              f"transfer set {len(transfer_rows)} ({int(transfer_mask.sum())} labelled)", flush=True)

        def equal_steps(epochs):
            return math.ceil(epochs * len(transfer_rows) / len(train_rows))

        torch.manual_seed(seed)
        teacher = build_mlp(TEACHER, TEACHER_DROPOUT)
        result = measure(teacher, Xt, Yt, *train(teacher, tx, ty, vx, vy, equal_steps(teacher_epochs)), classes=classes)
        runs["teacher"].append(result)
        report(seed, "teacher", TEACHER, f"dropout {TEACHER_DROPOUT:g}", result)

        torch.manual_seed(seed)
        student = build_mlp(student_arch, 0)
        result = measure(student, Xt, Yt, *train(student, tx, ty, vx, vy, equal_steps(student_epochs)), classes=classes)
        runs["student alone"].append(result)
        report(seed, "student alone", student_arch, "", result)

        cache_start = time.perf_counter()
        kx = X[transfer_rows]
        ky = torch.where(torch.from_numpy(transfer_mask), Y[transfer_rows], torch.full_like(Y[transfer_rows], -1))
        teacher_logits = logits_of(teacher, kx)
        print(f"[seed {seed}] cached the teacher's logits on {kx.shape[0]} transfer rows in "
              f"{time.perf_counter() - cache_start:.1f} s", flush=True)
        distilled = {}  # this seed's distilled students, by (T, α): the chosen one is pruned below
        for temperature, alpha in sorted(grid):
            torch.manual_seed(seed)
            student = build_mlp(student_arch, 0)
            result = measure(student, Xt, Yt, *train(student, kx, ky, vx, vy, student_epochs,
                                                     teacher_logits, temperature, alpha), classes=classes)
            cells[(temperature, alpha)].append(result)
            distilled[(temperature, alpha)] = student
            report(seed, "student distilled", student_arch, settings_of(temperature, alpha), result)
        per_seed.append((seed, kx, ky, vx, vy, teacher_logits, distilled))

    # Every pair was trained with every seed: keep the best mean validation accuracy (T, then α ascending; strict >
    # keeps the first on ties).
    mean_validation = {pair: statistics.fmean(r["validation"] for r in results) for pair, results in cells.items()}
    chosen = None
    for pair in sorted(grid):
        if chosen is None or mean_validation[pair] > mean_validation[chosen]:
            chosen = pair
    print(f"{name}: chosen {settings_of(*chosen)} (validation accuracy {mean_validation[chosen]:.2%}, mean over the seeds)", flush=True)

    for k, (seed, kx, ky, vx, vy, teacher_logits, distilled) in enumerate(per_seed):
        # The pruned stage: this seed's chosen distilled student, copied, pruned one-shot (global L1) to each sparsity
        # and fine-tuned with the same KD objective, teacher logits, transfer set and recipe (pytorch_prune.py).
        # Reseeding first gives every sparsity the same batch order and leaves the other models' draws untouched.
        def finetune(model, pair=chosen, kx=kx, ky=ky, vx=vx, vy=vy, teacher_logits=teacher_logits):
            return train(model, kx, ky, vx, vy, prune_epochs, teacher_logits, *pair)

        sources = {None: (distilled[chosen], cells[chosen][k])}
        for sparsity in sparsities:
            torch.manual_seed(seed)
            model, curve, best_epoch, seconds = pytorch_prune.prune_and_finetune(distilled[chosen], sparsity, finetune)
            result = measure(model, Xt, Yt, curve, best_epoch, seconds,
                             parameters=pytorch_prune.nonzero_parameters(model), classes=classes)
            pruned[sparsity].append(result)
            sources[sparsity] = (model, result)
            report(seed, pytorch_prune.pruned_name(sparsity), student_arch, f"sparsity {result['sparsity']:.1%}", result)

        # The int8 stage: the chosen distilled student and its pruned copy at int8_pruned_sparsity, quantized after
        # training with torch's dynamic quantization (pytorch_int8.py); no training, so no curve of its own.
        for sparsity, results in int8.items():
            source, source_result = sources[sparsity]
            started = time.perf_counter()
            model = pytorch_int8.quantize(source)
            seconds = time.perf_counter() - started
            result = measure(model, Xt, Yt, source_result["curve"], source_result["bestEpoch"] - 1, seconds,
                             parameters=source_result["parameters"], classes=classes)
            result["sparsity"] = source_result["sparsity"]
            results.append(result)
            report(seed, pytorch_int8.int8_name(pytorch_prune.pruned_name(sparsity) if sparsity is not None else None),
                   student_arch, "int8", result)

    models = [summarise("teacher", TEACHER, f"dropout {TEACHER_DROPOUT:g}", runs["teacher"]),
              summarise("student alone", student_arch, "", runs["student alone"]),
              summarise("student distilled", student_arch, settings_of(*chosen), cells[chosen])]
    pruning = []
    for sparsity, results in pruned.items():
        row = summarise(pytorch_prune.pruned_name(sparsity), student_arch, pytorch_prune.pruned_settings(prune_epochs), results)
        models.append(row)
        pruning.append(pytorch_prune.pruning_cost(row["name"], [r["sparsity"] for r in results],
                                                  [r["accuracy"] for r in cells[chosen]], [r["accuracy"] for r in results]))
    for sparsity, results in int8.items():
        row = summarise(pytorch_int8.int8_name(pytorch_prune.pruned_name(sparsity) if sparsity is not None else None),
                        student_arch, pytorch_int8.int8_settings(), results)
        models.append(row)
        pruning.append(pytorch_prune.pruning_cost(row["name"], [r["sparsity"] for r in results],
                                                  [r["accuracy"] for r in cells[chosen]], [r["accuracy"] for r in results]))
    search = [{"temperature": t, "alpha": a, "validationAccuracy": mean_validation[(t, a)], "chosen": (t, a) == chosen,
               "seedAccuracies": [r["validation"] for r in cells[(t, a)]]}
              for t, a in sorted(grid)] if searched else []
    gains = [100 * (d["accuracy"] - a["accuracy"]) for a, d in zip(runs["student alone"], cells[chosen])]
    gain = statistics.fmean(gains)
    spread = statistics.stdev(gains) if len(gains) > 1 else 0.0
    verdict = ("undecided (one seed: run several for a verdict)" if len(gains) < 2
               else "wins" if gain > spread else "loses" if gain < -spread else "ties")
    return {"name": name, "description": description, "models": models, "search": search,
            "comparison": {"gainPoints": gain, "spreadPoints": spread, "verdict": verdict}, "pruning": pruning}


def settings_of(temperature, alpha):
    return f"T {temperature:g}, α {alpha:g}"


def seed_stat(values):
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0,
            "min": min(values), "max": max(values), "count": len(values)}


def summarise(role, arch, settings, results):
    return {"name": role, "architecture": arch, "settings": settings,
            "accuracy": seed_stat([r["accuracy"] for r in results]),
            "macroF1": seed_stat([r["macroF1"] for r in results]),
            "ece": seed_stat([r["ece"] for r in results]),
            "parameters": results[0]["parameters"], "modelBytes": results[0]["modelBytes"],
            "microsecondsPerSample": statistics.fmean(r["microseconds"] for r in results),
            "trainSeconds": statistics.fmean(r["seconds"] for r in results),
            "curves": [r["curve"] for r in results],
            "sparsity": statistics.fmean(r["sparsity"] for r in results),
            "samplesPerSecond": statistics.fmean(r["samplesPerSecond"] for r in results)}


# ---------------------------------------------------------------------------------------------------------------
# Report.

def render_markdown(report):
    lines = [f"# {report['title']}", "", f"- Data: {report['data']}", f"- Recipe: {report['recipe']}",
             f"- Seeds: {', '.join(str(s) for s in report['seeds'])}", f"- Machine: {report['machine']}",
             f"- Wall time: {report['wallSeconds']:.0f} s", ""]
    for scenario in report["scenarios"]:
        lines += [f"## {scenario['name']}", "", scenario["description"], ""]
        lines.append("| model | architecture | settings | test accuracy (mean ± std, min–max) | macro-F1 | ECE | sparsity (%) "
                     "| parameters | model bytes | µs/sample b1 | samples/s b256 | train time (s) |")
        lines.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for m in scenario["models"]:
            a, f1, ece = m["accuracy"], m["macroF1"], m["ece"]
            lines.append(f"| {m['name']} | {m['architecture']} | {m['settings']} | {100 * a['mean']:.2f} ± {100 * a['std']:.2f}% "
                         f"({100 * a['min']:.2f}–{100 * a['max']:.2f}) | {f1['mean']:.4f} ± {f1['std']:.4f} | "
                         f"{ece['mean']:.4f} ± {ece['std']:.4f} | {100 * m['sparsity']:.1f} | {m['parameters']:,} | "
                         f"{m['modelBytes']:,} | {m['microsecondsPerSample']:.1f} | {m['samplesPerSecond']:,.0f} | "
                         f"{m['trainSeconds']:.1f} |")
        c = scenario["comparison"]
        lines += ["", f"Distilled student vs student alone: {c['gainPoints']:+.2f} points (spread ±{c['spreadPoints']:.2f}) "
                      f"→ **{c['verdict']}**.", ""]
        if scenario["pruning"]:
            # TinyKd's wording (src/Distill/Reports/ReportText.cs, PruningCost): paired by seed, in points.
            lines += [f"- {pytorch_prune.cost_line(cost)}" for cost in scenario["pruning"]]
            lines += ["", "Pruned rows: torch.nn.utils.prune (global L1, one-shot, output layer dense) and KD fine-tuning; "
                          "prune.remove leaves a dense weight with zeros, so model bytes are those of the dense state_dict "
                          "(torch.nn.utils.prune stores nothing sparse) and inference runs the same dense kernels; "
                          "parameters count the nonzero weights and biases.", ""]
        if scenario["search"]:
            temperatures = sorted({cell["temperature"] for cell in scenario["search"]})
            alphas = sorted({cell["alpha"] for cell in scenario["search"]})
            by_pair = {(cell["temperature"], cell["alpha"]): cell for cell in scenario["search"]}
            lines.append("Validation accuracy of the distilled student, mean over the seeds (bold = chosen):")
            lines.append("")
            lines.append("| T \\ α | " + " | ".join(f"{a:g}" for a in alphas) + " |")
            lines.append("|---|" + "---:|" * len(alphas))
            for t in temperatures:
                row = []
                for a in alphas:
                    cell = by_pair.get((t, a))
                    text = "—" if cell is None else f"{100 * cell['validationAccuracy']:.2f}%"
                    row.append(f"**{text}**" if cell and cell["chosen"] else text)
                lines.append(f"| {t:g} | " + " | ".join(row) + " |")
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
