#!/usr/bin/env python3
"""Writes tests/Fixtures/metrics.json: reference values for TinyKd's classification metrics, computed with numpy
alone (no scikit-learn here), each a line-by-line transcription of scikit-learn's definition:

    binary_clf_curve   sklearn.metrics._ranking._binary_clf_curve (stable sort by score descending, one threshold
                       per distinct score, cumulative TP and FP)
    roc_curve          drop_intermediate=False: (0, 0) at +inf prepended, FPR = FP / FP[-1], TPR = TP / TP[-1]
    precision_recall   scikit-learn >= 1.1: every threshold kept, reversed to ascending, (precision 1, recall 0) appended
    average_precision  -sum(diff(recall) * precision[:-1])
    brier              binary: mean((p - y)^2) on the positive class; multi-class: mean over rows of sum_c (p_c - y_c)^2
    per-class P/R/F1   zero_division=0; macro over the classes in labels or predictions; micro pooled; weighted by support

Run from the repository root:  /usr/bin/python3 scripts/make_metric_fixtures.py [--out tests/Fixtures]
The inputs come from numpy's PCG64 with a fixed seed, scores rounded to 1/20 so that many tie; the JSON is written
with sorted keys, so a rerun writes the same bytes. Layout as scripts/make_fixtures.py ("tensors" hold float32 lists).
"""
import argparse
import json
import os

import numpy as np

SEED = 1729


def binary_clf_curve(y, s):
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    distinct = np.where(np.diff(s))[0]
    idx = np.r_[distinct, y.size - 1]
    tps = np.cumsum(y)[idx]
    fps = 1 + idx - tps
    return fps, tps, s[idx]


def roc_curve(y, s):
    fps, tps, thr = binary_clf_curve(y, s)
    fps, tps, thr = np.r_[0, fps], np.r_[0, tps], np.r_[np.inf, thr]
    return fps / fps[-1], tps / tps[-1], thr


def precision_recall_curve(y, s):
    fps, tps, thr = binary_clf_curve(y, s)
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    return np.r_[precision[::-1], 1], np.r_[recall[::-1], 0], thr[::-1]


def average_precision(y, s):
    precision, recall, _ = precision_recall_curve(y, s)
    return -np.sum(np.diff(recall) * precision[:-1])


def per_class(y, pred, classes):
    cm = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(cm, (y, pred), 1)
    tp, support, predicted = np.diag(cm), cm.sum(1), cm.sum(0)
    precision = np.divide(tp, predicted, out=np.zeros(classes), where=predicted != 0)
    recall = np.divide(tp, support, out=np.zeros(classes), where=support != 0)
    pr = precision + recall
    f1 = np.divide(2 * precision * recall, pr, out=np.zeros(classes), where=pr != 0)
    present = (support + predicted) > 0
    micro_p, micro_r = tp.sum() / predicted.sum(), tp.sum() / support.sum()
    return {
        "precision": precision, "recall": recall, "f1": f1, "support": support,
        "macro_f1": f1[present].mean(),
        "micro_f1": 2 * micro_p * micro_r / (micro_p + micro_r),
        "weighted_f1": (f1 * support).sum() / support.sum(),
    }


def record(store, name, values):
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    store[name] = {"shape": [int(values.size)], "data": [float(v) for v in values]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="tests/Fixtures")
    out = parser.parse_args().out
    rng = np.random.Generator(np.random.PCG64(SEED))
    tensors, labels = {}, {}

    # Binary: 200 rows, positives more likely at high scores, scores on a 1/20 grid (many ties).
    n = 200
    y = (rng.random(n) < 0.35).astype(np.int64)
    s = np.clip(np.round((rng.random(n) * 0.7 + 0.3 * y) * 20) / 20, 0, 1).astype(np.float32)
    labels["binary_labels"] = [int(v) for v in y]
    record(tensors, "binary_scores", s)
    s = s.astype(np.float64)
    fpr, tpr, roc_thr = roc_curve(y, s)
    record(tensors, "roc_fpr", fpr)
    record(tensors, "roc_tpr", tpr)
    record(tensors, "roc_thresholds", roc_thr[1:])  # the first is +inf, which JSON cannot hold
    precision, recall, pr_thr = precision_recall_curve(y, s)
    record(tensors, "pr_precision", precision)
    record(tensors, "pr_recall", recall)
    record(tensors, "pr_thresholds", pr_thr)
    record(tensors, "average_precision", [average_precision(y, s)])
    record(tensors, "brier_binary", [np.mean((s - y) ** 2)])

    # Three classes: 150 rows, softmax of logits leaning to the true class; imbalanced 60/30/10 %.
    n, c = 150, 3
    y3 = rng.choice(c, size=n, p=[0.6, 0.3, 0.1])
    logits = rng.normal(size=(n, c)) + 1.2 * np.eye(c)[y3]
    p = np.exp(logits - logits.max(1, keepdims=True))
    p = (p / p.sum(1, keepdims=True)).astype(np.float32)
    labels["multi_labels"] = [int(v) for v in y3]
    record(tensors, "multi_probabilities", p)
    p = p.astype(np.float64)
    record(tensors, "brier_multi", [np.mean(((p - np.eye(c)[y3]) ** 2).sum(1))])
    scores = per_class(y3, p.argmax(1), c)
    for key in ("precision", "recall", "f1", "support"):
        record(tensors, f"class_{key}", scores[key])
    for key in ("macro_f1", "micro_f1", "weighted_f1"):
        record(tensors, key, [scores[key]])
    # Class 2 as the positive class of a one-vs-rest binary task.
    y2, s2 = (y3 == 2).astype(np.int64), p[:, 2]
    record(tensors, "multi_class2_average_precision", [average_precision(y2, s2)])

    fixture = {
        "about": "classification metrics by scikit-learn's definitions, in numpy (scripts/make_metric_fixtures.py)",
        "config": {"seed": SEED},
        "labels": labels,
        "tensors": tensors,
    }
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(fixture, f, sort_keys=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
