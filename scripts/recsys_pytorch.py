#!/usr/bin/env python3
"""Recommender distillation (TinyKd issue 6) in PyTorch: the shared recipe, written as the same report as TinyKd's.

Run from the repository root with Debian's python3-torch (1.13; /usr/bin/python3) and OpenBLAS behind it;
scripts/experiment_recsys_pytorch.sh installs both first:

    bash scripts/experiment_recsys_pytorch.sh --data data/movielens/movielens.csv [options]
    /usr/bin/python3 scripts/recsys_pytorch.py --data FILE.csv [options]
    /usr/bin/python3 scripts/recsys_pytorch.py --self-test      # the metric functions on hand-computed examples

    --data FILE.csv     movieId,title,year,genres,userId,rating,timestamp (scripts/export-movielens.sh or synthetic)
    --seeds 1,2,3       one run of every model per seed; tables give mean ± sample std over the seeds
    --epochs 15         epochs of every model (--quick: 2)
    --out DIR           report.json (TinyKd's recommender report schema, engine "pytorch") and report.md
                        (default results/pytorch-recsys)
    --threads 2         torch.set_num_threads and OpenBLAS's own pool (through ctypes)
    --models LIST       restrict the pipeline, e.g. teacher,mf,neumf-8:soft-bce (a distilled model brings its teacher);
                        entries: teacher | mf | neumf-8 | <mf|neumf-8>:<bce|bpr|softmax|soft-bce|rank-distill|listwise>
    --quick             smoke run: 2 epochs
    --keep-best         every model keeps its best validation-NDCG@10 epoch (200 evenly spaced users), not its last

The recipe (the shared spec; every constant is in the block below, named as the spec names it):
  Data       positive = rating >= 4. Users and items numbered 0.. in increasing raw id order (every rated movie is
             an item); genres in ordinal string order. Per user the positives sorted by (timestamp, movieId): the last
             is the test item, the one before the validation item, for users with >= 3 positives (the evaluated
             users); every other rating (positive or not) is training. Seen(u) = items rated in training.
             Cold start = evaluated users with <= 10 training positives.
  Models     NeuMF(d, g, hidden): GMF p_u ⊙ q_i, MLP on [u_mlp, i_mlp, mean of the item's genre embeddings]
             with ReLU hidden layers, output Linear([GMF ; last hidden] -> 1). MF(d): <p_u, q_i> + b_i.
             Embeddings (nn.Embedding / nn.EmbeddingBag(mode="mean"), sparse=True) ~ N(0, 0.1²), the item bias 0;
             Linear layers keep PyTorch's init. torch.manual_seed(seed) right before each model is built.
  Training   Adam (dense) + SparseAdam (embedding tables), lr 1e-3, betas (0.9, 0.999), eps 1e-8; batches of 256
             training positives in a seeded shuffle (last partial batch kept), 4 uniform negatives each from the
             items not in Seen(u) (rejection sampling). Shuffles and negatives come from one numpy Generator,
             the distillation draws (rank-distill's top-K picks, listwise's extra items) from a second one, both
             spawned from SeedSequence(seed): a distilled student sees the same batches and negatives as its
             student alone.
  Losses     bce | bpr | softmax on [pos, negatives]; distilled: 0.5·bce + 0.5·term with the teacher's scores
             from a [U, I] matrix cached once after training (eval, no grad): soft-bce (T 2), rank-distill
             (top 10 unseen teacher items, w_r ∝ exp(-r/5), 2 draws per row, mean softplus(-s) / L so that a row's draws
             weigh one candidate), listwise (the row's 5
             candidates + 15 extra unseen items, T²·KL(softmax(t/T) ‖ softmax(s/T)), T 2).
  Evaluation full ranking on the test item: candidates = every item but Seen(u) and the validation item;
             rank = 1 + #{candidates c ≠ p, s_c >= s_p} (pessimistic ties), AUC counts ties ½.
             AUC, HR/Recall/NDCG/MAP@5,10,20, MRR per user; bootstrap 1000 user resamples (seed 20181, percentile
             95%) on the per-user values averaged over the seeds.
  Verdict    distilled student vs the same student alone, per group, on NDCG@10, Recall@10 and AUC: gain = mean
             per-user difference (seed-averaged), bootstrap interval of it, seed spread = sample std of the per-seed
             mean gains; wins if low > 0 and gain > spread, loses if high < 0 and -gain > spread, else ties.
  Cost       parameters; bytes = size of torch.save(state_dict); µs/user = median time to score every item for
             one user (batch of 1) after a warm-up; users/s = every user scored in batches of 64 (mean over seeds).
"""
import argparse
import csv
import math
import os
import platform
import statistics
import sys
import tempfile
import time

import numpy as np

from report_files import write_report
from torch_blas import Blas

# ---------------------------------------------------------------------------------------------------------------
# The recipe: every constant of the shared spec, in one place.

POSITIVE_RATING = 4.0                  # positive: rating >= 4.0
MIN_POSITIVES_EVALUATED = 3            # users with >= 3 positives get a test and a validation item
COLD_START_MAX_TRAIN_POSITIVES = 10    # cold start: evaluated users with <= 10 training positives
EMBEDDING_INIT_STD = 0.1               # embeddings ~ N(0, 0.1²); Linear layers keep PyTorch's init
TEACHER_D, TEACHER_GENRE_WIDTH, TEACHER_HIDDEN = 64, 16, (256, 128, 64)
STUDENT_NEUMF_D, STUDENT_NEUMF_GENRE_WIDTH, STUDENT_NEUMF_HIDDEN = 8, 4, (16,)
STUDENT_MF_D = 16
LEARNING_RATE, BETAS, ADAM_EPS = 1e-3, (0.9, 0.999), 1e-8
BATCH_POSITIVES = 256
NEGATIVES = 4
EPOCHS, QUICK_EPOCHS = 15, 2
KEEP_BEST_EPOCH = False                # --keep-best: every model ends with its best validation-NDCG@10 epoch
CURVE_USERS = 200                      # evaluated users (evenly spaced) ranked for that per-epoch validation
HARD_LOSS = "bce"                      # the loss of the teacher, the students alone and a distilled student's hard part
ALPHA = 0.5                            # distilled: (1 - α)·bce + α·term
SOFT_BCE_TEMPERATURE = 2.0
RANK_DISTILL_K, RANK_DISTILL_LAMBDA, RANK_DISTILL_DRAWS = 10, 5.0, 2
LISTWISE_CANDIDATES, LISTWISE_TEMPERATURE = 20, 2.0
CUTOFFS = (5, 10, 20)
BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, BOOTSTRAP_CONFIDENCE = 1000, 20181, 0.95
SEEDS = "1,2,3"
COMPARISON_METRICS = ("NDCG@10", "Recall@10", "AUC")
GROUPS = ("all", "cold")
STUDENTS = ("neumf-8", "mf")
HARD_LOSSES = ("bce", "bpr", "softmax")
DISTILL_LOSSES = ("soft-bce", "rank-distill", "listwise")
THROUGHPUT_BATCH = 64                  # users/s: users scored in batches of 64
LATENCY_WARMUP, LATENCY_REPEATS = 10, 50
SCORE_CHUNK_PAIRS = 1 << 20            # (user, item) pairs per forward at most when scoring (bounds memory)

METRIC_NAMES = ["AUC"] + [f"{m}@{k}" for k in CUTOFFS for m in ("HR", "Recall", "NDCG", "MAP")] + ["MRR"]
ARCHITECTURES = {
    "teacher": f"neumf d{TEACHER_D} g{TEACHER_GENRE_WIDTH} {'-'.join(map(str, TEACHER_HIDDEN))}",
    "neumf-8": f"neumf d{STUDENT_NEUMF_D} g{STUDENT_NEUMF_GENRE_WIDTH} {'-'.join(map(str, STUDENT_NEUMF_HIDDEN))}",
    "mf": f"mf d{STUDENT_MF_D}",
}

torch = None  # imported in main(), after OPENBLAS_NUM_THREADS is set
nn = None
F = None


def import_torch(threads):
    global torch, nn, F
    os.environ["OPENBLAS_NUM_THREADS"] = str(threads)  # read by OpenBLAS when torch loads it
    # Read by libgomp when torch loads it: threads that wait at a barrier sleep instead of spinning. On a machine
    # shared with other jobs, spinning made every small parallel op wait for a descheduled partner (a teacher epoch
    # took 22-32 s with 2 threads instead of 4 s); an explicit setting in the environment wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch as _torch
    torch, nn, F = _torch, _torch.nn, _torch.nn.functional
    torch.set_num_threads(threads)
    blas = Blas()
    blas.set_threads(threads)
    return blas


def main():
    global KEEP_BEST_EPOCH
    started = time.perf_counter()
    args = parse_args()
    blas = import_torch(args.threads)
    if args.self_test:
        self_test()
        return
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    epochs = args.epochs or (QUICK_EPOCHS if args.quick else EPOCHS)
    KEEP_BEST_EPOCH = KEEP_BEST_EPOCH or args.keep_best
    plan = parse_models(args.models)
    out_dir = args.out or os.path.join("results", "pytorch-recsys")

    data = load_ratings(args.data)
    stats = data.stats()
    machine = (f"{os.cpu_count()} logical processors, {platform.system()} {platform.release()}, {platform.machine()}; "
               f"torch {torch.__version__}, {args.threads} threads, {blas.describe()}")
    print(f"Data: {args.data}: {stats}")
    print(f"Machine: {machine}")
    print(f"Seeds {seeds}, {epochs} epochs, models {[label(n, l) for n, l in plan]}; writing to {out_dir}", flush=True)

    runs = {key: [] for key in plan}  # (name, loss) -> per seed {"values": {metric: per-user array}, ...}
    for seed in seeds:
        teacher_cache = None
        for name, loss in plan:
            t0 = time.perf_counter()
            torch.manual_seed(seed)
            model = build_model(name, data)
            distill = None
            if loss in DISTILL_LOSSES:
                distill = teacher_cache
            losses, best_epoch = train(model, data, seed, epochs, loss, distill)
            train_seconds = time.perf_counter() - t0
            scores, users_per_second = score_all_users(model, data)
            if name == "teacher":
                teacher_cache = TeacherCache(scores, data)
            values = evaluate(scores, data, "test")
            run = {"values": values, "usersPerSecond": users_per_second, "usPerUser": microseconds_per_user(model, data),
                   "parameters": sum(p.numel() for p in model.parameters()), "bytes": model_bytes(model)}
            runs[(name, loss)].append(run)
            print(f"[seed {seed}] {label(name, loss):<22} loss {losses[0]:.4f} -> {losses[-1]:.4f}  "
                  f"NDCG@10 {values['NDCG@10'].mean():.4f}  Recall@10 {values['Recall@10'].mean():.4f}  "
                  f"AUC {values['AUC'].mean():.4f}  train {train_seconds:.1f} s  {run['usPerUser']:.0f} µs/user  "
                  f"{users_per_second:.0f} users/s" + (f"  epoch {best_epoch} kept" if KEEP_BEST_EPOCH else ""), flush=True)
            del scores

    cold = data.cold_mask()
    models = [summarise_model(name, loss, runs[(name, loss)], cold) for name, loss in plan]
    comparisons = compare(plan, runs, cold)
    report = {"engine": "pytorch", "dataset": dataset_name(args.data), "data": stats, "seeds": seeds,
              "wallSeconds": time.perf_counter() - started, "models": models, "comparisons": comparisons}
    write_report(out_dir, finite(report), render_markdown(report, epochs, machine), allow_nan=False)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="ratings CSV (movieId,title,year,genres,userId,rating,timestamp)")
    parser.add_argument("--seeds", default=SEEDS, help=f"comma-separated seeds (default {SEEDS})")
    parser.add_argument("--epochs", type=int, help=f"epochs of every model (default {EPOCHS}, --quick {QUICK_EPOCHS})")
    parser.add_argument("--out", help="output folder (default results/pytorch-recsys)")
    parser.add_argument("--threads", type=int, default=2, help="torch and OpenBLAS threads (default 2)")
    parser.add_argument("--models", help="comma-separated subset of the pipeline (default: all of it)")
    parser.add_argument("--quick", action="store_true", help=f"smoke run: {QUICK_EPOCHS} epochs")
    parser.add_argument("--keep-best", action="store_true",
                        help=f"every model keeps its best validation-NDCG@10 epoch ({CURVE_USERS} users) instead of its last")
    parser.add_argument("--self-test", action="store_true", help="check the metric functions on hand-computed examples")
    args = parser.parse_args()
    if not args.self_test and not args.data:
        parser.error("--data FILE.csv is required (or --self-test)")
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be at least 1")
    try:
        parse_models(args.models)
    except ValueError as error:
        parser.error(str(error))
    return args


def pipeline():
    """The spec's pipeline: teacher; mf alone; neumf-8 alone; neumf-8 with each distillation loss; mf with each."""
    return ([("teacher", HARD_LOSS), ("mf", HARD_LOSS), ("neumf-8", HARD_LOSS)]
            + [("neumf-8", loss) for loss in DISTILL_LOSSES] + [("mf", loss) for loss in DISTILL_LOSSES])


def parse_models(text):
    """--models → [(name, loss)] in pipeline order (extra hard-loss variants last); a distilled model adds the teacher."""
    if not text:
        return pipeline()
    wanted = []
    for entry in (e.strip() for e in text.split(",") if e.strip()):
        name, _, loss = entry.partition(":")
        loss = loss or HARD_LOSS
        if name == "teacher" and loss == HARD_LOSS or name in STUDENTS and loss in HARD_LOSSES + DISTILL_LOSSES:
            wanted.append((name, loss))
        else:
            raise ValueError(f"--models: unknown entry '{entry}' (teacher, mf, neumf-8 or <mf|neumf-8>:<loss> with loss "
                             f"in {', '.join(HARD_LOSSES + DISTILL_LOSSES)})")
    if any(loss in DISTILL_LOSSES for _, loss in wanted):
        wanted.append(("teacher", HARD_LOSS))
    order = pipeline()
    chosen = [key for key in order if key in wanted]
    return chosen + [key for key in dict.fromkeys(wanted) if key not in order]


def label(name, loss):
    return name if name == "teacher" or loss == HARD_LOSS else f"{name} ({loss})"


def dataset_name(path):
    base = os.path.basename(path)
    return "synthetic" if os.path.splitext(base)[0].startswith("synthetic") else base


# ---------------------------------------------------------------------------------------------------------------
# Data.

class Ratings:
    """The split of one ratings CSV: dense ids, training positives, Seen sets, held-out items, genres."""

    def __init__(self, users, user_raw, item_raw, genre_names, item_genres, ratings, positives):
        self.user_count, self.item_count = len(user_raw), len(item_raw)
        self.genre_count = len(genre_names)
        self.item_genres = item_genres          # list of genre-id lists, one per item
        self.rating_count, self.positive_count = ratings, positives
        self.seen = np.zeros((self.user_count, self.item_count), dtype=bool)
        train_u, train_i = [], []
        eval_users, test_items, val_items, train_pos_count = [], [], [], np.zeros(self.user_count, dtype=np.int64)
        for u in range(self.user_count):
            rows = users[u]  # (timestamp, item, rating) of the user, file order
            pos = sorted((ts, i) for ts, i, r in rows if r >= POSITIVE_RATING)
            held = {}
            if len(pos) >= MIN_POSITIVES_EVALUATED:
                held = {"test": pos[-1], "validation": pos[-2]}
                eval_users.append(u)
                test_items.append(pos[-1][1])
                val_items.append(pos[-2][1])
            held_out = list(held.values())
            for ts, i, r in rows:
                if (ts, i) in held_out and r >= POSITIVE_RATING:
                    held_out.remove((ts, i))  # exactly one rating row per held-out item leaves training
                    continue
                self.seen[u, i] = True
                if r >= POSITIVE_RATING:
                    train_u.append(u)
                    train_i.append(i)
                    train_pos_count[u] += 1
        order = np.lexsort((np.array(train_i), np.array(train_u)))
        self.train_users = np.array(train_u, dtype=np.int64)[order]
        self.train_items = np.array(train_i, dtype=np.int64)[order]
        self.eval_users = np.array(eval_users, dtype=np.int64)
        self.test_items = np.array(test_items, dtype=np.int64)
        self.validation_items = np.array(val_items, dtype=np.int64)
        self.train_positive_counts = train_pos_count
        full = np.flatnonzero(self.seen.all(axis=1))
        if len(full):
            raise ValueError(f"user {user_raw[full[0]]} rated every item in training: no negative can be sampled")
        self.seen_torch = None  # made on first use (torch is imported after the data module loads)
        lengths = [len(g) for g in item_genres]
        if min(lengths) < 1:
            raise ValueError(f"item {item_raw[lengths.index(0)]} has no genre token")
        pad = np.zeros((self.item_count, max(lengths)), dtype=np.int64)
        for i, g in enumerate(item_genres):
            pad[i, :len(g)] = g
        self.genre_pad, self.genre_lengths = pad, np.array(lengths, dtype=np.int64)

    def cold_mask(self):
        """Per evaluated user: True when cold start (<= 10 training positives)."""
        return self.train_positive_counts[self.eval_users] <= COLD_START_MAX_TRAIN_POSITIVES

    def stats(self):
        return {"users": self.user_count, "items": self.item_count, "ratings": self.rating_count,
                "positives": self.positive_count, "evaluatedUsers": int(len(self.eval_users)),
                "coldStartUsers": int(self.cold_mask().sum())}

    def seen_tensor(self):
        if self.seen_torch is None:
            self.seen_torch = torch.from_numpy(self.seen)
        return self.seen_torch

    def sample_unseen(self, rng, users, n):
        """[len(users), n] items drawn uniformly from the items not in Seen(u), by rejection."""
        draws = rng.integers(0, self.item_count, size=(len(users), n))
        rows = np.repeat(users[:, None], n, axis=1)
        bad = self.seen[rows, draws]
        while bad.any():
            draws[bad] = rng.integers(0, self.item_count, size=int(bad.sum()))
            bad[bad] = self.seen[rows[bad], draws[bad]]
        return draws


def load_ratings(path):
    expected = ["movieId", "title", "year", "genres", "userId", "rating", "timestamp"]
    movie_genres, rows = {}, []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != expected:
            sys.exit(f"{path}: header {header}, expected {','.join(expected)}")
        for line, record in enumerate(reader, start=2):
            if not record:
                continue
            if len(record) != len(expected):
                sys.exit(f"{path}:{line}: {len(record)} fields, expected {len(expected)}")
            try:
                movie, user, rating, timestamp = int(record[0]), int(record[4]), float(record[5]), int(record[6])
            except ValueError as error:
                sys.exit(f"{path}:{line}: {error}")
            if not 0.5 <= rating <= 5.0:
                sys.exit(f"{path}:{line}: rating {rating} outside 0.5-5")
            movie_genres.setdefault(movie, record[3].split("|"))
            rows.append((user, movie, rating, timestamp))
    if not rows:
        sys.exit(f"{path}: no ratings")
    user_raw = sorted({r[0] for r in rows})
    item_raw = sorted(movie_genres)
    user_id = {raw: k for k, raw in enumerate(user_raw)}
    item_id = {raw: k for k, raw in enumerate(item_raw)}
    genre_names = sorted({g for gs in movie_genres.values() for g in gs})  # Python str order = ordinal order
    genre_id = {g: k for k, g in enumerate(genre_names)}
    item_genres = [sorted({genre_id[g] for g in movie_genres[raw]}) for raw in item_raw]
    users = [[] for _ in user_raw]
    positives = 0
    for user, movie, rating, timestamp in rows:
        users[user_id[user]].append((timestamp, item_id[movie], rating))
        positives += rating >= POSITIVE_RATING
    try:
        return Ratings(users, user_raw, item_raw, genre_names, item_genres, len(rows), positives)
    except ValueError as error:
        sys.exit(f"{path}: {error}")


# ---------------------------------------------------------------------------------------------------------------
# Models.

def init_embeddings(module):
    for m in module.modules():
        if isinstance(m, (nn.Embedding, nn.EmbeddingBag)):
            nn.init.normal_(m.weight, 0.0, EMBEDDING_INIT_STD)


NeuMF = MF = None  # defined by make_classes() once torch is imported


def make_classes():
    """Defines NeuMF and MF once torch is imported."""
    global NeuMF, MF

    class _NeuMF(nn.Module):
        def __init__(self, data, d, genre_width, hidden):
            super().__init__()
            self.user_gmf = nn.Embedding(data.user_count, d, sparse=True)
            self.item_gmf = nn.Embedding(data.item_count, d, sparse=True)
            self.user_mlp = nn.Embedding(data.user_count, d, sparse=True)
            self.item_mlp = nn.Embedding(data.item_count, d, sparse=True)
            self.genre = nn.EmbeddingBag(data.genre_count, genre_width, mode="mean", sparse=True)
            layers, width = [], 2 * d + genre_width
            for h in hidden:
                layers += [nn.Linear(width, h), nn.ReLU()]
                width = h
            self.mlp = nn.Sequential(*layers)
            self.out = nn.Linear(d + width, 1)
            self.register_buffer("genre_pad", torch.from_numpy(data.genre_pad), persistent=False)
            self.register_buffer("genre_lengths", torch.from_numpy(data.genre_lengths), persistent=False)
            init_embeddings(self)

        def genres_of(self, items):
            lengths = self.genre_lengths[items]
            mask = torch.arange(self.genre_pad.shape[1]) < lengths[:, None]
            flat = self.genre_pad[items][mask]
            offsets = torch.cumsum(lengths, 0) - lengths
            return self.genre(flat, offsets)

        def forward(self, users, items):
            gmf = self.user_gmf(users) * self.item_gmf(items)
            h = self.mlp(torch.cat([self.user_mlp(users), self.item_mlp(items), self.genres_of(items)], dim=1))
            return self.out(torch.cat([gmf, h], dim=1)).squeeze(1)

    class _MF(nn.Module):
        def __init__(self, data, d):
            super().__init__()
            self.user = nn.Embedding(data.user_count, d, sparse=True)
            self.item = nn.Embedding(data.item_count, d, sparse=True)
            self.item_bias = nn.Embedding(data.item_count, 1, sparse=True)
            init_embeddings(self)
            nn.init.zeros_(self.item_bias.weight)  # as TinyKd: the item bias starts at 0

        def forward(self, users, items):
            return (self.user(users) * self.item(items)).sum(1) + self.item_bias(items).squeeze(1)

    NeuMF, MF = _NeuMF, _MF


def build_model(name, data):
    if MF is None:
        make_classes()
    if name == "teacher":
        return NeuMF(data, TEACHER_D, TEACHER_GENRE_WIDTH, TEACHER_HIDDEN)
    if name == "neumf-8":
        return NeuMF(data, STUDENT_NEUMF_D, STUDENT_NEUMF_GENRE_WIDTH, STUDENT_NEUMF_HIDDEN)
    if name == "mf":
        return MF(data, STUDENT_MF_D)
    raise ValueError(f"unknown model {name}")


# ---------------------------------------------------------------------------------------------------------------
# Training.

class TeacherCache:
    """The teacher's [U, I] scores (eval, no grad) and, per user, its top-K items outside Seen(u) for rank-distill."""

    def __init__(self, scores, data):
        self.scores = scores
        masked = scores.masked_fill(data.seen_tensor(), float("-inf"))
        self.top = torch.topk(masked, RANK_DISTILL_K, dim=1).indices  # [U, K], rank 1 first
        ranks = np.arange(1, RANK_DISTILL_K + 1, dtype=np.float64)
        w = np.exp(-ranks / RANK_DISTILL_LAMBDA)
        self.rank_weights = w / w.sum()


def hard_loss(name, s):
    """s: [B, L] scores of [positive, negatives…]."""
    if name == "bce":
        target = torch.zeros_like(s)
        target[:, 0] = 1.0
        return F.binary_cross_entropy_with_logits(s, target)
    if name == "bpr":
        return F.softplus(-(s[:, :1] - s[:, 1:])).mean()
    if name == "softmax":
        return F.cross_entropy(s, torch.zeros(s.shape[0], dtype=torch.long))
    raise ValueError(f"unknown loss {name}")


def distill_term(name, model, users, candidates, s, teacher, data, rng):
    """The distillation term for a batch: users [B] (numpy), candidates [B, L] (numpy), s the student's [B, L]."""
    if name == "soft-bce":
        T = SOFT_BCE_TEMPERATURE
        t = teacher.scores[torch.from_numpy(users)[:, None], torch.from_numpy(candidates)]
        return T * T * F.binary_cross_entropy_with_logits(s / T, torch.sigmoid(t / T))
    if name == "rank-distill":
        ranks = rng.choice(RANK_DISTILL_K, size=(len(users), RANK_DISTILL_DRAWS), p=teacher.rank_weights)
        u = torch.from_numpy(users)
        items = teacher.top[u[:, None], torch.from_numpy(ranks)]
        drawn = model(u.repeat_interleave(RANK_DISTILL_DRAWS), items.reshape(-1))
        # A row's draws together weigh as much as one candidate of its list: Tang & Wang's top-K weights sum to 1.
        return F.softplus(-drawn).mean() / candidates.shape[1]
    if name == "listwise":
        T = LISTWISE_TEMPERATURE
        extra = data.sample_unseen(rng, users, LISTWISE_CANDIDATES - candidates.shape[1])
        u = torch.from_numpy(users)
        extra_t = torch.from_numpy(extra)
        s_extra = model(u.repeat_interleave(extra.shape[1]), extra_t.reshape(-1)).view(len(users), -1)
        s_all = torch.cat([s, s_extra], dim=1)
        items = torch.cat([torch.from_numpy(candidates), extra_t], dim=1)
        t = teacher.scores[u[:, None], items]
        return T * T * F.kl_div(F.log_softmax(s_all / T, dim=1), F.log_softmax(t / T, dim=1), reduction="batchmean",
                                log_target=True)
    raise ValueError(f"unknown distillation loss {name}")


def optimizers(model):
    sparse_modules = [m for m in model.modules() if isinstance(m, (nn.Embedding, nn.EmbeddingBag))]
    sparse = [p for m in sparse_modules for p in m.parameters()]
    sparse_ids = {id(p) for p in sparse}
    dense = [p for p in model.parameters() if id(p) not in sparse_ids]
    result = [torch.optim.SparseAdam(sparse, lr=LEARNING_RATE, betas=BETAS, eps=ADAM_EPS)]
    if dense:
        result.append(torch.optim.Adam(dense, lr=LEARNING_RATE, betas=BETAS, eps=ADAM_EPS, weight_decay=0.0))
    return result


def train(model, data, seed, epochs, loss_name, teacher):
    """Trains in place; returns the mean loss of every epoch."""
    if loss_name in DISTILL_LOSSES and teacher is None:
        raise ValueError(f"loss {loss_name} needs the teacher's cached scores")
    sample_rng, distill_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    opts = optimizers(model)
    model.train()
    n = len(data.train_users)
    epoch_losses = []
    best_score, best_epoch, best_state = float("-inf"), 0, None
    for _ in range(epochs):
        order = sample_rng.permutation(n)
        total = 0.0
        for start in range(0, n, BATCH_POSITIVES):
            idx = order[start:start + BATCH_POSITIVES]
            users = data.train_users[idx]
            candidates = np.concatenate([data.train_items[idx][:, None],
                                         data.sample_unseen(sample_rng, users, NEGATIVES)], axis=1)
            u = torch.from_numpy(users)
            s = model(u.repeat_interleave(candidates.shape[1]), torch.from_numpy(candidates).reshape(-1))
            s = s.view(len(users), candidates.shape[1])
            if loss_name in DISTILL_LOSSES:
                term = distill_term(loss_name, model, users, candidates, s, teacher, data, distill_rng)
                loss = (1 - ALPHA) * hard_loss(HARD_LOSS, s) + ALPHA * term
            else:
                loss = hard_loss(loss_name, s)
            for opt in opts:
                opt.zero_grad()
            loss.backward()
            for opt in opts:
                opt.step()
            total += loss.item() * len(idx)
        epoch_losses.append(total / n)
        if KEEP_BEST_EPOCH:
            score = validation_ndcg10(model, data)
            if score > best_score:
                best_score, best_epoch = score, len(epoch_losses)
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            model.train()
    if KEEP_BEST_EPOCH:
        model.load_state_dict(best_state)
    model.eval()
    return epoch_losses, best_epoch


def curve_users(data):
    """At most CURVE_USERS evaluated users, evenly spaced (TinyKd's RecommenderPipeline.CurveUsers)."""
    n = len(data.eval_users)
    count = min(CURVE_USERS, n)
    return data.eval_users[[(k * n) // count for k in range(count)]]


def validation_ndcg10(model, data):
    """Mean validation NDCG@10 over the curve users."""
    model.eval()
    users = curve_users(data)
    scores = torch.zeros(data.user_count, data.item_count)
    scores[torch.from_numpy(users)] = score_users(model, torch.from_numpy(users), data.item_count)
    return float(evaluate(scores, data, "validation", users)["NDCG@10"].mean())


# ---------------------------------------------------------------------------------------------------------------
# Scoring, evaluation and cost.

def score_users(model, users, item_count):
    """[len(users), I] scores of every item for each user (no grad)."""
    items = torch.arange(item_count)
    out = torch.empty(len(users), item_count)
    per_chunk = max(1, SCORE_CHUNK_PAIRS // item_count)
    with torch.no_grad():
        for a in range(0, len(users), per_chunk):
            b = users[a:a + per_chunk]
            out[a:a + len(b)] = model(b.repeat_interleave(item_count), items.repeat(len(b))).view(len(b), item_count)
    return out


def score_all_users(model, data):
    """Every user's scores [U, I], in batches of THROUGHPUT_BATCH users; returns (scores, users per second)."""
    model.eval()
    scores = torch.empty(data.user_count, data.item_count)
    begin = time.perf_counter()
    for a in range(0, data.user_count, THROUGHPUT_BATCH):
        users = torch.arange(a, min(a + THROUGHPUT_BATCH, data.user_count))
        scores[a:a + len(users)] = score_users(model, users, data.item_count)
    return scores, data.user_count / (time.perf_counter() - begin)


def microseconds_per_user(model, data):
    model.eval()
    times = []
    users = data.eval_users if len(data.eval_users) else np.arange(data.user_count)
    for k in range(LATENCY_WARMUP + LATENCY_REPEATS):
        u = torch.tensor([int(users[k % len(users)])])
        begin = time.perf_counter_ns()
        score_users(model, u, data.item_count)
        if k >= LATENCY_WARMUP:
            times.append((time.perf_counter_ns() - begin) / 1e3)
    return statistics.median(times)


def model_bytes(model):
    with tempfile.TemporaryDirectory(prefix="tinykd-recsys-") as tmp:
        path = os.path.join(tmp, "model.pt")
        torch.save(model.state_dict(), path)
        return os.path.getsize(path)


def ranks_and_auc(scores, positive, excluded):
    """Vectorised, one positive per row. scores [B, I]; positive [B] item; excluded [B, I] bool, False at the
    positive. Returns (rank [B] = 1 + #{candidates c ≠ p with s_c >= s_p}, AUC [B] with ties ½)."""
    s = scores.masked_fill(excluded, float("-inf"))  # an excluded item is never >= a finite positive score
    rows = torch.arange(s.shape[0])
    sp = s[rows, positive][:, None]
    candidates = (~excluded).sum(1).double()
    greater = (s > sp).sum(1).double()
    equal = (s == sp).sum(1).double() - 1
    negatives = candidates - 1
    rank = 1 + greater + equal
    auc = torch.where(negatives > 0, (negatives - greater - 0.5 * equal) / negatives.clamp(min=1),
                      torch.full_like(negatives, float("nan")))
    return rank.numpy(), auc.numpy()


def metrics_from_ranks(rank, auc):
    """Per-user metrics for one positive per user: {name: array}."""
    out = {"AUC": np.asarray(auc, dtype=np.float64)}
    rank = np.asarray(rank, dtype=np.float64)
    for k in CUTOFFS:
        hit = (rank <= k).astype(np.float64)
        out[f"HR@{k}"] = hit
        out[f"Recall@{k}"] = hit
        out[f"NDCG@{k}"] = hit / np.log2(rank + 1)  # IDCG(1) = 1
        out[f"MAP@{k}"] = hit / rank                # precision@rank = 1/rank
    out["MRR"] = 1.0 / rank
    return {name: out[name] for name in METRIC_NAMES}


def evaluate(scores, data, split, users=None):
    """Per evaluated user (or per user of `users`), every metric of the test (or validation) item, ranked against all
    items but Seen(u) and the other held-out item. scores: [U, I] of every user."""
    held = {u: k for k, u in enumerate(data.eval_users)}
    users_all = data.eval_users if users is None else np.asarray(users)
    index = np.array([held[int(u)] for u in users_all], dtype=np.int64)
    positive = (data.test_items if split == "test" else data.validation_items)[index]
    other = (data.validation_items if split == "test" else data.test_items)[index]
    seen = data.seen_tensor()
    ranks, aucs = [], []
    for a in range(0, len(users_all), THROUGHPUT_BATCH):
        users = torch.from_numpy(users_all[a:a + THROUGHPUT_BATCH])
        rows = torch.arange(len(users))
        excluded = seen[users].clone()
        excluded[rows, torch.from_numpy(other[a:a + len(users)])] = True
        pos = torch.from_numpy(positive[a:a + len(users)])
        excluded[rows, pos] = False
        rank, auc = ranks_and_auc(scores[users], pos, excluded)
        ranks.append(rank)
        aucs.append(auc)
    return metrics_from_ranks(np.concatenate(ranks), np.concatenate(aucs))


def user_metrics(scores, candidates, positives):
    """The spec's general per-user metrics, written plainly (for checking): scores [I], candidates = item ids ranked
    (positives included), positives = set of item ids. rank(p) = 1 + #{candidate negatives with s >= s_p} +
    #{other positives with s > s_p} (other positives with an equal score rank after p)."""
    positives = set(positives)
    negatives = [c for c in candidates if c not in positives]
    rank = {p: 1 + sum(scores[c] >= scores[p] for c in negatives)
            + sum(scores[q] > scores[p] for q in positives if q != p) for p in positives}
    pairs = [(1.0 if scores[p] > scores[n] else 0.5 if scores[p] == scores[n] else 0.0)
             for p in positives for n in negatives]
    out = {"AUC": sum(pairs) / len(pairs)}
    for k in CUTOFFS:
        hits = [p for p in positives if rank[p] <= k]
        ideal = sum(1 / math.log2(i + 1) for i in range(1, min(len(positives), k) + 1))
        out[f"HR@{k}"] = 1.0 if hits else 0.0
        out[f"Recall@{k}"] = len(hits) / len(positives)
        out[f"NDCG@{k}"] = sum(1 / math.log2(rank[p] + 1) for p in hits) / ideal
        out[f"MAP@{k}"] = sum(sum(rank[q] <= rank[p] for q in positives) / rank[p] for p in hits) / min(len(positives), k)
    out["MRR"] = 1 / min(rank.values())
    return {name: out[name] for name in METRIC_NAMES}


# ---------------------------------------------------------------------------------------------------------------
# Summaries, bootstrap and verdicts.

def bootstrap_interval(values):
    """Percentile 95% interval of the mean over BOOTSTRAP_RESAMPLES resamples of the users (fresh seeded stream)."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    means = values[rng.integers(0, len(values), size=(BOOTSTRAP_RESAMPLES, len(values)))].mean(axis=1)
    tail = 100 * (1 - BOOTSTRAP_CONFIDENCE) / 2
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def sample_std(values):
    return statistics.stdev(values) if len(values) > 1 else 0.0


def summarise_model(name, loss, runs, cold):
    groups = {}
    for group in GROUPS:
        mask = np.ones_like(cold) if group == "all" else cold
        metrics = {}
        for metric in METRIC_NAMES:
            per_seed = [run["values"][metric][mask] for run in runs]
            seed_means = [float(np.nanmean(v)) if len(v) else float("nan") for v in per_seed]
            low, high = bootstrap_interval(np.mean(per_seed, axis=0))
            metrics[metric] = {"mean": float(np.mean(seed_means)), "std": sample_std(seed_means), "low": low,
                               "high": high, "seeds": seed_means}
        groups[group] = metrics
    return {"name": name, "architecture": ARCHITECTURES[name], "loss": loss, "parameters": runs[0]["parameters"],
            "bytes": runs[0]["bytes"], "usPerUser": statistics.fmean(r["usPerUser"] for r in runs),
            "usersPerSecond": statistics.fmean(r["usersPerSecond"] for r in runs), "groups": groups}


def verdict(gain, low, high, spread):
    if low > 0 and gain > spread:
        return "wins"
    if high < 0 and -gain > spread:
        return "loses"
    return "ties"


def compare(plan, runs, cold):
    out = []
    for student in STUDENTS:
        for loss in DISTILL_LOSSES:
            if (student, HARD_LOSS) not in runs or (student, loss) not in runs:
                continue
            for group in GROUPS:
                mask = np.ones_like(cold) if group == "all" else cold
                for metric in COMPARISON_METRICS:
                    diffs = [d["values"][metric][mask] - a["values"][metric][mask]
                             for a, d in zip(runs[(student, HARD_LOSS)], runs[(student, loss)])]
                    per_user = np.mean(diffs, axis=0)
                    gain = float(per_user.mean()) if len(per_user) else float("nan")
                    low, high = bootstrap_interval(per_user)
                    spread = sample_std([float(d.mean()) for d in diffs]) if len(per_user) else float("nan")
                    out.append({"student": student, "loss": loss, "group": group, "metric": metric, "gain": gain,
                                "low": low, "high": high, "seedSpread": spread,
                                "verdict": verdict(gain, low, high, spread)})
    return out


# ---------------------------------------------------------------------------------------------------------------
# Report.

def finite(value):
    """NaN (a metric of an empty group, AUC with no negatives) as JSON null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def render_markdown(report, epochs, machine):
    d = report["data"]
    lines = ["# Recommender distillation (PyTorch reference)", "",
             f"- Data: {report['dataset']}: {d['users']} users, {d['items']} items, {d['ratings']} ratings, "
             f"{d['positives']} positives; {d['evaluatedUsers']} evaluated users, {d['coldStartUsers']} cold start",
             f"- Seeds: {', '.join(str(s) for s in report['seeds'])}; {epochs} epochs; test item, full ranking, "
             f"mean ± std over seeds [95% bootstrap interval over users]",
             f"- Machine: {machine}", f"- Wall time: {report['wallSeconds']:.0f} s", ""]

    def cell(stat):
        return f"{stat['mean']:.4f} ± {stat['std']:.4f} [{stat['low']:.4f}, {stat['high']:.4f}]"

    head = ["model", "architecture", "loss"] + [f"{m} ({g})" for g in GROUPS for m in COMPARISON_METRICS] + [
        "parameters", "bytes", "µs/user", "users/s"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|---|---|---|" + "---:|" * (len(head) - 3))
    for m in report["models"]:
        row = [m["name"], m["architecture"], m["loss"]]
        row += [cell(m["groups"][g][metric]) for g in GROUPS for metric in COMPARISON_METRICS]
        row += [f"{m['parameters']:,}", f"{m['bytes']:,}", f"{m['usPerUser']:.0f}", f"{m['usersPerSecond']:.0f}"]
        lines.append("| " + " | ".join(row) + " |")
    if report["comparisons"]:
        lines += ["", "Distilled student vs the same student alone (gain = mean per-user difference; wins if the "
                      "interval is above 0 and the gain exceeds the seed spread):", "",
                  "| student | loss | group | metric | gain | 95% interval | seed spread | verdict |",
                  "|---|---|---|---|---:|---:|---:|---|"]
        for c in report["comparisons"]:
            lines.append(f"| {c['student']} | {c['loss']} | {c['group']} | {c['metric']} | {c['gain']:+.4f} | "
                         f"[{c['low']:+.4f}, {c['high']:+.4f}] | {c['seedSpread']:.4f} | **{c['verdict']}** |")
    lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# Self-test: the metric functions on hand-computed examples.

def self_test():
    def close(a, b, what):
        if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            raise AssertionError(f"{what}: got {a}, expected {b}")

    def check(got, expected, what):
        for name, value in expected.items():
            close(got[name], value, f"{what} {name}")

    # Six items; item 0 is seen (excluded), item 2 is the positive at 0.5, tied with items 1 and 5, behind item 4.
    scores = [0.9, 0.5, 0.5, 0.1, 0.7, 0.5]
    # rank = 1 + #{1, 4, 5} = 4 (pessimistic); negatives {1, 3, 4, 5}: 1 below, 2 tied, 1 above → AUC (1 + 1) / 4.
    hand = {"AUC": 0.5, "HR@5": 1.0, "Recall@5": 1.0, "NDCG@5": 1 / math.log2(5), "MAP@5": 0.25,
            "HR@10": 1.0, "NDCG@10": 1 / math.log2(5), "MAP@10": 0.25, "HR@20": 1.0, "MRR": 0.25}
    check(user_metrics(scores, [1, 2, 3, 4, 5], {2}), hand, "example 1 (plain)")
    # A constant scorer over six candidates: the positive ranks last (6): out of the top 5, AUC ½.
    flat = [0.2] * 6
    hand_flat = {"AUC": 0.5, "HR@5": 0.0, "Recall@5": 0.0, "NDCG@5": 0.0, "MAP@5": 0.0, "HR@10": 1.0,
                 "NDCG@10": 1 / math.log2(7), "MAP@10": 1 / 6, "MRR": 1 / 6}
    check(user_metrics(flat, range(6), {0}), hand_flat, "example 2 (plain)")
    # The vectorised path on the same two users.
    s = torch.tensor([scores, flat], dtype=torch.float32)
    excluded = torch.tensor([[True, False, False, False, False, False], [False] * 6])
    rank, auc = ranks_and_auc(s, torch.tensor([2, 0]), excluded)
    assert list(rank) == [4.0, 6.0], rank
    vec = metrics_from_ranks(rank, auc)
    check({k: v[0] for k, v in vec.items()}, hand, "example 1 (vectorised)")
    check({k: v[1] for k, v in vec.items()}, hand_flat, "example 2 (vectorised)")
    # A perfect scorer: rank 1 everywhere, AUC 1.
    rank, auc = ranks_and_auc(torch.tensor([[0.1, 0.2, 0.9, 0.3, 0.0, 0.4]]), torch.tensor([2]),
                              torch.zeros(1, 6, dtype=torch.bool))
    check({k: v[0] for k, v in metrics_from_ranks(rank, auc).items()},
          {"AUC": 1.0, "HR@5": 1.0, "NDCG@5": 1.0, "MAP@5": 1.0, "MRR": 1.0}, "example 3 (vectorised)")
    # Two positives {1, 2} tied at 0.6 behind negative 0 (0.8): each ranks 1 + 1 = 2 (the other tied positive ranks
    # after it); negatives {0, 3, 4, 5}: 3 of 4 below each positive → AUC 6 / 8.
    two = [0.8, 0.6, 0.6, 0.3, 0.1, 0.0]
    idcg2 = 1 + 1 / math.log2(3)
    check(user_metrics(two, range(6), {1, 2}),
          {"AUC": 0.75, "HR@5": 1.0, "Recall@5": 1.0, "NDCG@5": (2 / math.log2(3)) / idcg2,
           "MAP@5": (2 / 2 + 2 / 2) / 2, "MRR": 0.5}, "example 4 (two positives)")
    # Positives 0 (0.9) and 1 (0.5) behind negatives 2 (0.7) and 3 (0.6): ranks 1 and 4, so MAP@5 = (1/1 + 2/4) / 2;
    # AUC: positive 0 beats all 4 negatives, positive 1 beats 2 → 6 / 8.
    three = [0.9, 0.5, 0.7, 0.6, 0.1, 0.0]
    check(user_metrics(three, range(6), {0, 1}),
          {"AUC": 6 / 8, "Recall@5": 1.0, "NDCG@5": (1 + 1 / math.log2(5)) / idcg2, "MAP@5": (1 / 1 + 2 / 4) / 2,
           "MRR": 1.0}, "example 5 (two positives)")
    # Bootstrap: a constant vector has a zero-width interval; the verdict rule.
    low, high = bootstrap_interval(np.full(50, 0.3))
    close(low, 0.3, "bootstrap low")
    close(high, 0.3, "bootstrap high")
    assert verdict(0.02, 0.01, 0.03, 0.005) == "wins"
    assert verdict(0.02, 0.01, 0.03, 0.05) == "ties"
    assert verdict(-0.02, -0.03, -0.01, 0.0) == "loses"
    assert verdict(0.02, -0.01, 0.05, 0.0) == "ties"
    print("self-test passed: ranks, AUC, HR/Recall/NDCG/MAP@K, MRR on hand-computed examples; bootstrap; verdicts")


if __name__ == "__main__":
    main()
