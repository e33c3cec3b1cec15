#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures that tests/Parity compares TinyKd with (tests/Fixtures/*.json).

Run from the repository root with Debian's python3-torch (1.13; /usr/bin/python3, not a pyenv without torch):

    /usr/bin/python3 scripts/make_fixtures.py [--out tests/Fixtures] [--only NAME ...]

Every input comes from torch.manual_seed(SEED + k) for a fixed k per fixture, everything is float32 on the CPU
with one thread, and the JSON is written with sorted keys, so a rerun on the same PyTorch build rewrites the same
bytes. Values are Python floats of the float32 results (repr round-trips them exactly).

File layout (one object per fixture):
    "about":   what was computed, in words
    "config":  hyper-parameters (temperatures, learning rates, ...)
    "labels":  integer class labels by name
    "tensors": name -> {"shape": [...], "data": [row-major floats]}; a scalar has shape [] and one value

Fixtures:
    mlp.json     Linear(7,5) -> ReLU -> Linear(5,3) on x [4,7] with cross-entropy: logits, loss, the gradients of
                 every parameter and of x; the parameters after one Adam step, after one AdamW step, and after two
                 SGD steps (momentum, Nesterov, weight decay; gradients recomputed on the same batch).
    losses.json  cross-entropy (plain and label-smoothed), KL(softmax(t/T) || softmax(s/T)) batchmean for T = 1, 4,
                 Hinton's alpha*T^2*KL + (1-alpha)*CE, MSE and BCE-with-logits: values and input gradients.
    embedding.json  F.embedding and F.embedding_bag (mean, with an empty bag) on a 6x4 table: values and the
                 table's VJP; then three SparseAdam steps on nn.Embedding(sparse=True) with repeated indices.
    ops.json     softmax/log-softmax of x/T, relu, leaky_relu, tanh, sigmoid, exact gelu on x in [-2, 2] (why that
                 range: see ops_fixture): values and VJPs for a given upstream gradient; A.B, A.B^T, A^T.B values
                 and the VJP of A.B.
    broadcast.json  a + b, a - b, a * b, a / b on operand shapes that broadcast (a column against a matrix, a row, a
                 0-d scalar, [4,1,3] against [5,1], [3,1] against [1,4], rank 3 against rank 2): values and both
                 operands' VJPs, summed back over their broadcast dimensions by autograd.
"""
import argparse
import json
import os
import re

import torch
import torch.nn.functional as F

SEED = 1729
BATCH = 4


def record(store, name, t):
    """Adds a tensor (or a 0-d loss) to the fixture under `name`."""
    t = t.detach().to(torch.float32).contiguous()
    store[name] = {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def grads_of(store, prefix, named):
    for name, t in named:
        record(store, prefix + name, t.grad)


def away_from_kinks(x, margin=1e-2):
    """Moves values within `margin` of 0 away from it, so ReLU-like kinks are never straddled by rounding."""
    return torch.where(x.abs() < margin, torch.sign(x + 1e-30) * margin * 2, x)


def mlp_fixture():
    torch.manual_seed(SEED)
    model = torch.nn.Sequential(torch.nn.Linear(7, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    x0 = torch.randn(BATCH, 7)
    labels = torch.randint(0, 3, (BATCH,))
    initial = {k: v.detach().clone() for k, v in model.state_dict().items()}

    # The ReLU must see some negative and no near-zero pre-activation (no kink straddled by rounding).
    pre = x0 @ initial["0.weight"].T + initial["0.bias"]
    assert (pre < 0).any() and (pre > 0).any() and pre.abs().min() > 1e-3, pre

    tensors = {}
    record(tensors, "x", x0)
    for k, v in initial.items():
        record(tensors, k, v)

    def loss_on(m, x):
        return F.cross_entropy(m(x), labels)

    x = x0.clone().requires_grad_(True)
    logits = model(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    record(tensors, "logits", logits)
    record(tensors, "loss", loss)
    record(tensors, "grad.x", x.grad)
    grads_of(tensors, "grad.", model.named_parameters())

    config = {"adam_lr": 1e-2, "adamw_lr": 1e-2, "adamw_weight_decay": 0.1,
              "sgd_lr": 0.1, "sgd_momentum": 0.9, "sgd_nesterov": True, "sgd_weight_decay": 0.01, "sgd_steps": 2}

    def fresh():
        model.load_state_dict(initial)
        model.zero_grad(set_to_none=True)
        return model

    def run(prefix, opt_factory, steps):
        m = fresh()
        opt = opt_factory(m.parameters())
        for _ in range(steps):
            opt.zero_grad()
            loss_on(m, x0).backward()
            opt.step()
        for name, p in m.named_parameters():
            record(tensors, prefix + name, p)

    run("adam.", lambda ps: torch.optim.Adam(ps, lr=config["adam_lr"]), 1)
    run("adamw.", lambda ps: torch.optim.AdamW(ps, lr=config["adamw_lr"], weight_decay=config["adamw_weight_decay"]), 1)
    run("sgd.", lambda ps: torch.optim.SGD(ps, lr=config["sgd_lr"], momentum=config["sgd_momentum"],
                                           nesterov=config["sgd_nesterov"], weight_decay=config["sgd_weight_decay"]),
        config["sgd_steps"])

    return {
        "about": "nn.Sequential(Linear(7,5), ReLU(), Linear(5,3)), F.cross_entropy; parameters in PyTorch layout "
                 "(weight [out, in]); grad.* after one backward; adam./adamw. after one step, sgd. after two "
                 "steps with gradients recomputed on the same batch; optimizer betas/eps/dampening are defaults.",
        "config": config,
        "labels": {"labels": labels.tolist()},
        "tensors": tensors,
    }


def losses_fixture():
    torch.manual_seed(SEED + 1)
    s0 = torch.randn(BATCH, 5) * 2
    t0 = torch.randn(BATCH, 5) * 3
    labels = torch.randint(0, 5, (BATCH,))
    target = torch.randn(BATCH, 5)
    prob = torch.rand(BATCH, 5)

    tensors = {}
    for name, v in (("s", s0), ("t", t0), ("target", target), ("prob", prob)):
        record(tensors, name, v)

    def leaf(v):
        return v.clone().requires_grad_(True)

    smoothing = 0.1
    for name, eps in (("ce", 0.0), ("ce_smooth", smoothing)):
        s = leaf(s0)
        loss = F.cross_entropy(s, labels, label_smoothing=eps)
        loss.backward()
        record(tensors, name + ".loss", loss)
        record(tensors, name + ".grad.s", s.grad)

    temperatures = [1.0, 4.0]
    for T in temperatures:
        s, t = leaf(s0), leaf(t0)
        loss = F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1), reduction="batchmean")
        loss.backward()
        key = "kl_T%g" % T
        record(tensors, key + ".loss", loss)
        record(tensors, key + ".grad.s", s.grad)
        record(tensors, key + ".grad.t", t.grad)

    alpha, T = 0.9, 4.0
    s = leaf(s0)
    kl = F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t0 / T, dim=1), reduction="batchmean")
    loss = alpha * T * T * kl + (1 - alpha) * F.cross_entropy(s, labels)
    loss.backward()
    record(tensors, "hinton.loss", loss)
    record(tensors, "hinton.grad.s", s.grad)

    # A transfer-set batch: rows 1 and 3 have no label (-1), so only the soft term teaches them.
    partial = labels.clone()
    partial[1] = -1
    partial[3] = -1
    s = leaf(s0)
    kl = F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t0 / T, dim=1), reduction="batchmean")
    loss = alpha * T * T * kl + (1 - alpha) * F.cross_entropy(s, partial, ignore_index=-1)
    loss.backward()
    record(tensors, "hinton_unlabelled.loss", loss)
    record(tensors, "hinton_unlabelled.grad.s", s.grad)

    s, y = leaf(s0), leaf(target)
    loss = F.mse_loss(s, y)
    loss.backward()
    record(tensors, "mse.loss", loss)
    record(tensors, "mse.grad.input", s.grad)
    record(tensors, "mse.grad.target", y.grad)

    s, y = leaf(s0), leaf(prob)
    loss = F.binary_cross_entropy_with_logits(s, y)
    loss.backward()
    record(tensors, "bce.loss", loss)
    record(tensors, "bce.grad.logits", s.grad)
    record(tensors, "bce.grad.targets", y.grad)

    return {
        "about": "s student logits, t teacher logits, labels; ce = F.cross_entropy (label_smoothing 0 and "
                 "ce_smoothing); kl_T* = F.kl_div(F.log_softmax(s/T,1), F.softmax(t/T,1), reduction='batchmean'); "
                 "hinton = alpha*T^2*kl + (1-alpha)*ce with t constant; hinton_unlabelled the same with "
                 "labels_partial and F.cross_entropy(..., ignore_index=-1); mse = F.mse_loss(s, target); "
                 "bce = F.binary_cross_entropy_with_logits(s, prob); all reductions are means.",
        "config": {"label_smoothing": smoothing, "temperatures": temperatures, "hinton_alpha": alpha,
                   "hinton_temperature": T},
        "labels": {"labels": labels.tolist(), "labels_partial": partial.tolist()},
        "tensors": tensors,
    }


def ops_fixture():
    torch.manual_seed(SEED + 2)
    # |x| <= 2: beyond it the float32 problem itself is ill-conditioned at the 1e-5 level, for PyTorch as for any
    # float32 code. tanh'(x) = 1 - y^2 cancels (condition ~1/(1-|y|): 1e-4 relative error at |x| = 4.2), and
    # PyTorch's float32 gelu, x/2*(1 + erf(x/sqrt2)), is 5e-5 off the exact value at x = -3 and 9e-4 off at -4.2
    # (measured against float64). Both tests would then compare two roundings, not TinyKd with PyTorch's maths.
    x0 = away_from_kinks(torch.empty(BATCH, 7).uniform_(-2, 2))
    dy = torch.randn(BATCH, 7)
    a = torch.randn(BATCH, 7)
    b = torch.randn(7, 5)
    bt = torch.randn(5, 7)
    c = torch.randn(BATCH, 5)
    dmm = torch.randn(BATCH, 5)

    tensors = {}
    for name, v in (("x", x0), ("dy", dy), ("a", a), ("b", b), ("bt", bt), ("c", c), ("dmm", dmm)):
        record(tensors, name, v)

    T, slope = 2.5, 0.1
    functions = {
        "softmax": lambda x: F.softmax(x / T, dim=1),
        "log_softmax": lambda x: F.log_softmax(x / T, dim=1),
        "relu": F.relu,
        "leaky_relu": lambda x: F.leaky_relu(x, slope),
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "gelu": lambda x: F.gelu(x, approximate="none"),
    }
    for name, f in functions.items():
        x = x0.clone().requires_grad_(True)
        y = f(x)
        y.backward(dy)
        record(tensors, name + ".y", y)
        record(tensors, name + ".vjp", x.grad)

    av, bv = a.clone().requires_grad_(True), b.clone().requires_grad_(True)
    ab = av @ bv
    ab.backward(dmm)
    record(tensors, "matmul.ab", ab)
    record(tensors, "matmul.ab.grad.a", av.grad)
    record(tensors, "matmul.ab.grad.b", bv.grad)
    record(tensors, "matmul.abt", a @ bt.T)
    record(tensors, "matmul.atc", a.T @ c)

    return {
        "about": "x uniform in [-2, 2] with no value within 0.01 of 0; dy the upstream gradient of every activation; NAME.y = f(x), "
                 "NAME.vjp = dy^T df/dx; softmax/log_softmax take x/T along dim 1; leaky_relu slope and T in config. "
                 "matmul.ab = a@b (VJP with upstream dmm), matmul.abt = a@bt.T, matmul.atc = a.T@c.",
        "config": {"temperature": T, "leaky_relu_slope": slope},
        "labels": {},
        "tensors": tensors,
    }


# (name, op, shape of a, shape of b): every case is one line of broadcast.json's "about".
BROADCAST_CASES = [
    ("add_2x2_2x1", "add", [2, 2], [2, 1]),
    ("sub_3x1_1x4", "sub", [3, 1], [1, 4]),
    ("mul_4x7_7", "mul", [4, 7], [7]),
    ("mul_scalar_2x3", "mul", [], [2, 3]),
    ("div_4x1x3_5x1", "div", [4, 1, 3], [5, 1]),
    ("div_3x1_2x3x4", "div", [3, 1], [2, 3, 4]),
    ("add_2x3x4_3x1", "add", [2, 3, 4], [3, 1]),
]


def broadcast_fixture():
    torch.manual_seed(SEED + 4)
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    tensors = {}
    for name, op, a_shape, b_shape in BROADCAST_CASES:
        a = torch.randn(a_shape).requires_grad_(True)
        # Divisors in [0.5, 2], away from the pole.
        b = (torch.empty(b_shape).uniform_(0.5, 2) if op == "div" else torch.randn(b_shape)).requires_grad_(True)
        y = ops[op](a, b)
        dy = torch.randn(y.shape)
        y.backward(dy)
        for key, t in (("a", a), ("b", b), ("dy", dy), ("y", y), ("grad.a", a.grad), ("grad.b", b.grad)):
            record(tensors, name + "." + key, t)
    return {
        "about": "NAME.y = OP(NAME.a, NAME.b) with PyTorch's broadcasting, NAME.grad.a/grad.b = the VJPs for upstream NAME.dy; "
                 "cases: " + "; ".join("%s = %s(%s, %s)" % (n, o, list(sa), list(sb)) for n, o, sa, sb in BROADCAST_CASES) + ".",
        "config": {},
        "labels": {},
        "tensors": tensors,
    }


NUMBER_LIST = re.compile(r"\[[-+\d.eE,\s]*\]")


def embedding_fixture():
    torch.manual_seed(SEED + 3)
    table = torch.randn(6, 4)
    indices = [3, 1, 3, 5]
    bag_indices = [0, 2, 2, 4, 1]
    bag_offsets = [0, 2, 2, 5]
    steps = [[3, 1, 3], [0, 1], [5, 5, 2]]
    lr = 0.1
    tensors = {}
    record(tensors, "table", table)
    t = table.clone().requires_grad_(True)
    y = F.embedding(torch.tensor(indices), t)
    dy = torch.randn_like(y)
    y.backward(dy)
    record(tensors, "lookup.y", y)
    record(tensors, "lookup.dy", dy)
    record(tensors, "lookup.vjp", t.grad)
    t = table.clone().requires_grad_(True)
    y = F.embedding_bag(torch.tensor(bag_indices), t, torch.tensor(bag_offsets[:-1]), mode="mean")
    dy = torch.randn_like(y)
    y.backward(dy)
    record(tensors, "bag.y", y)
    record(tensors, "bag.dy", dy)
    record(tensors, "bag.vjp", t.grad)
    emb = torch.nn.Embedding(6, 4, sparse=True)
    with torch.no_grad():
        emb.weight.copy_(table)
    opt = torch.optim.SparseAdam(emb.parameters(), lr=lr)
    for k, step in enumerate(steps):
        out = emb(torch.tensor(step))
        w = torch.randn_like(out)
        record(tensors, "adam.w%d" % k, w)
        opt.zero_grad()
        (out * w).sum().backward()
        opt.step()
        record(tensors, "adam.weight%d" % k, emb.weight)
    labels = {"indices": indices, "bag_indices": bag_indices, "bag_offsets": bag_offsets}
    for k, step in enumerate(steps):
        labels["adam.step%d" % k] = step
    return {
        "about": "lookup.y = F.embedding(indices, table), lookup.vjp = the table's gradient for upstream lookup.dy; "
                 "bag.* the same for F.embedding_bag(bag_indices, table, offsets, mode='mean') whose bags are "
                 "[bag_offsets[b], bag_offsets[b+1]) (bag 1 is empty); adam.weightK = nn.Embedding(6, 4, sparse=True) "
                 "weights (starting at table) after SparseAdam step K with loss sum(emb(adam.stepK) * adam.wK).",
        "config": {"adam_lr": lr},
        "labels": labels,
        "tensors": tensors,
    }


def one_line(match):
    """Joins a JSON list of numbers onto one line, which keeps the files short and their diffs readable."""
    values = [v.strip() for v in match.group(0)[1:-1].split(",")]
    return "[" + ", ".join(v for v in values if v) + "]"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Fixtures"))
    parser.add_argument("--only", nargs="+", metavar="NAME", help="write only these fixtures (mlp, losses, ops, embedding, broadcast)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    builders = {"mlp": mlp_fixture, "losses": losses_fixture, "ops": ops_fixture, "embedding": embedding_fixture,
                "broadcast": broadcast_fixture}
    for name in args.only or builders:
        build = builders[name]
        fixture = build()
        fixture["generator"] = "scripts/make_fixtures.py, torch %s, seed %d" % (torch.__version__, SEED)
        path = os.path.join(args.out, name + ".json")
        text = NUMBER_LIST.sub(one_line, json.dumps(fixture, sort_keys=True, indent=1))
        with open(path, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        print("wrote %s (%d bytes)" % (os.path.normpath(path), os.path.getsize(path)))


if __name__ == "__main__":
    main()
