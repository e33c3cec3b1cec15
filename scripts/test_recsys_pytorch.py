#!/usr/bin/env python3
"""Checks scripts/recsys_pytorch.py: the metric self-test, the CSV reader and split on a hand-made file, and a smoke
run on a synthetic ratings CSV (written to a temporary folder, never committed) with the report's schema.

    /usr/bin/python3 scripts/test_recsys_pytorch.py [--keep DIR]     # ~1 min on 2 cores
    /usr/bin/python3 scripts/test_recsys_pytorch.py --write-synthetic FILE.csv [--users 300 --items 500]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "recsys_pytorch.py")
HEADER = ["movieId", "title", "year", "genres", "userId", "rating", "timestamp"]
GENRES = ["Action", "Adventure", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi", "Thriller", "(no genres listed)"]


def write_synthetic(path, users=300, items=500, seed=7):
    """Ratings with latent structure: users prefer items close in a 4-d taste space, and genres follow the items'
    tastes, so a model can learn something and distillation has something to pass on."""
    rng = np.random.default_rng(seed)
    user_taste = rng.normal(size=(users, 4))
    item_taste = rng.normal(size=(items, 4))
    popularity = rng.normal(scale=1.0, size=items)
    item_genres = []
    for i in range(items):
        k = int(np.argmax(item_taste[i]))
        gs = {GENRES[2 * k + rng.integers(0, 2)]}
        if rng.random() < 0.3:
            gs.add(GENRES[rng.integers(0, 8)])
        item_genres.append(["(no genres listed)"] if rng.random() < 0.02 else sorted(gs))
    movie_ids = np.sort(rng.choice(np.arange(1, 20 * items), size=items, replace=False))
    user_ids = np.sort(rng.choice(np.arange(1, 10 * users), size=users, replace=False))
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(HEADER)
        for u in range(users):
            affinity = item_taste @ user_taste[u]
            logits = 0.8 * affinity + popularity
            p = np.exp(logits - logits.max())
            p /= p.sum()
            count = int(rng.integers(5, 60))
            chosen = rng.choice(items, size=count, replace=False, p=p)
            start = int(rng.integers(900_000_000, 1_400_000_000))
            for i in chosen:
                rating = np.clip(np.round(2 * (3.0 + 0.6 * affinity[i] + rng.normal(scale=0.7))) / 2, 0.5, 5.0)
                year = "NA" if i % 37 == 0 else str(1950 + i % 70)
                title = f'Movie {movie_ids[i]}, "the {i % 5}"' if i % 3 == 0 else f"Movie {movie_ids[i]}"
                writer.writerow([movie_ids[i], title, year, "|".join(item_genres[i]), user_ids[u], f"{rating:g}",
                                 start + int(rng.integers(0, 50_000_000))])


def check_split(tmp):
    """A hand-made file: dense ids, leave-last-out with (timestamp, movieId) order, Seen sets, cold start, genres."""
    path = os.path.join(tmp, "hand.csv")
    rows = [  # movieId, title, year, genres, userId, rating, timestamp
        (30, 'Heat, "the"', "1995", "Action|Crime", 7, 4.0, 100),
        (10, "Toy", "NA", "Comedy", 7, 5.0, 100),   # same timestamp as movie 30: movieId 10 sorts first
        (20, "Up", "2009", "(no genres listed)", 7, 2.0, 50),
        (40, "Alien", "1979", "Sci-Fi|Action", 7, 4.5, 300),
        (10, "Toy", "NA", "Comedy", 3, 4.0, 10),  # user 3: two positives only → not evaluated
        (40, "Alien", "1979", "Sci-Fi|Action", 3, 4.0, 20),
        (20, "Up", "2009", "(no genres listed)", 3, 1.0, 5),
    ]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    sys.path.insert(0, HERE)
    import recsys_pytorch as r
    r.import_torch(1)
    data = r.load_ratings(path)
    # users 3 → 0, 7 → 1; items 10, 20, 30, 40 → 0..3; genres ordinal: "(no genres listed)", Action, Comedy, Crime, Sci-Fi
    assert (data.user_count, data.item_count, data.genre_count) == (2, 4, 5)
    assert data.item_genres == [[2], [0], [1, 3], [1, 4]], data.item_genres
    # user 7 positives by (timestamp, movieId): 10 (100), 30 (100), 40 (300) → test 40, validation 30
    assert list(data.eval_users) == [1] and list(data.test_items) == [3] and list(data.validation_items) == [2]
    assert data.seen[1].tolist() == [True, True, False, False], data.seen[1]
    assert data.seen[0].tolist() == [True, True, False, True], data.seen[0]
    assert sorted(zip(data.train_users.tolist(), data.train_items.tolist())) == [(0, 0), (0, 3), (1, 0)]
    assert data.stats() == {"users": 2, "items": 4, "ratings": 7, "positives": 5, "evaluatedUsers": 1,
                            "coldStartUsers": 1}, data.stats()
    rng = np.random.default_rng(1)
    draws = data.sample_unseen(rng, np.array([0] * 50 + [1] * 50), 4)
    assert set(draws[:50].ravel()) == {2} and set(draws[50:].ravel()) == {2, 3}
    print("split check passed: dense ids, genres, leave-last-out order, Seen sets, cold start, negative sampling")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", help="write the smoke run's report here instead of a temporary folder")
    parser.add_argument("--write-synthetic", metavar="FILE", help="only write a synthetic ratings CSV")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--items", type=int, default=500)
    args = parser.parse_args()
    if args.write_synthetic:
        write_synthetic(args.write_synthetic, args.users, args.items)
        return
    subprocess.run([sys.executable, SCRIPT, "--self-test"], check=True)
    with tempfile.TemporaryDirectory(prefix="recsys-test-") as tmp:
        check_split(tmp)
        data = os.path.join(tmp, "synthetic.csv")
        write_synthetic(data, args.users, args.items)
        out = args.keep or os.path.join(tmp, "out")
        subprocess.run([sys.executable, SCRIPT, "--data", data, "--seeds", "1,2", "--epochs", "2", "--out", out,
                        "--threads", "2", "--models", "mf,mf:soft-bce,mf:rank-distill,mf:listwise,neumf-8"],
                       check=True)
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            report = json.load(f)
    assert set(report) == {"engine", "dataset", "data", "seeds", "wallSeconds", "models", "comparisons"}, set(report)
    assert report["engine"] == "pytorch" and report["dataset"] == "synthetic" and report["seeds"] == [1, 2]
    names = [(m["name"], m["loss"]) for m in report["models"]]
    assert names == [("teacher", "bce"), ("mf", "bce"), ("neumf-8", "bce"), ("mf", "soft-bce"),
                     ("mf", "rank-distill"), ("mf", "listwise")], names
    for m in report["models"]:
        assert set(m) == {"name", "architecture", "loss", "parameters", "bytes", "usPerUser", "usersPerSecond",
                          "groups"}
        for group in ("all", "cold"):
            stat = m["groups"][group]["NDCG@10"]
            assert set(stat) == {"mean", "std", "low", "high", "seeds"} and len(stat["seeds"]) == 2
            assert stat["low"] <= stat["mean"] + 1e-12 and stat["mean"] <= stat["high"] + 1e-12
        floor = 0.6 if m["name"] == "teacher" else 0.5  # two epochs: MF barely leaves its tiny initial scores
        assert m["groups"]["all"]["AUC"]["mean"] > floor, (m["name"], m["loss"], m["groups"]["all"]["AUC"])
    assert len(report["comparisons"]) == 3 * 2 * 3  # mf × 3 losses × 2 groups × 3 metrics
    print("smoke run passed: report schema; the teacher well above chance on the synthetic data")


if __name__ == "__main__":
    main()
