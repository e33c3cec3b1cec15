#!/usr/bin/env python3
"""Loads TinyKd's recommender exports into recsys_pytorch.py's modules and writes their scores (tests/Interop).

Run from the repository root with Debian's python3-torch (1.13; /usr/bin/python3):

    /usr/bin/python3 scripts/make_recsys_safetensors_fixture.py [--dir tests/Fixtures/safetensors]

It reads tinykd-mf.safetensors and tinykd-neumf.safetensors from --dir: the fixture models of
tests/Interop/RecommenderSafeTensorsTests.cs as `tinykd export MODEL --safetensors` writes them (the test checks
that today's exporter still writes exactly these tensors). The safetensors format is read here with struct + json
(Debian has no python3-safetensors): u64 little-endian header length, the JSON header, the float32 data. For each
file it builds the PyTorch module of scripts/recsys_pytorch.py (MF or NeuMF) with the sizes in the file's
tinykd.* metadata and the item genres of its item_genres.offsets/item_genres.indices tensors (popped first: they
are data, not parameters), loads the rest with load_state_dict(strict=True) — so a missing, extra or misnamed
tensor is an error here — and writes the eval-mode scores of every (user, item) pair, [users, items], to
recsys-torch.json ("tensors": "mf.scores", "neumf.scores"), which the test compares with TinyKd's to 1e-5.
"""
import argparse
import json
import os
import struct
import sys
import types

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recsys_pytorch  # noqa: E402  (the modules under test)


def load_safetensors(path):
    """The tensors (float32 only, as TinyKd writes them) and the metadata of a .safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack_from("<Q", raw, 0)
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = raw[8 + length:]
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {entry['dtype']}, expected F32")
        begin, end = entry["data_offsets"]
        values = np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"])
        tensors[name] = torch.from_numpy(values.copy())
    return tensors, metadata


def build(tensors, metadata):
    """The recsys_pytorch module the file describes, with its state dictionary loaded strictly."""
    users, items = int(metadata["tinykd.users"]), int(metadata["tinykd.items"])
    width = int(metadata["tinykd.width"])
    data = types.SimpleNamespace(user_count=users, item_count=items)
    if metadata["tinykd.architecture"] == "mf":
        model = recsys_pytorch.MF(data, width)
    else:
        offsets = tensors.pop("item_genres.offsets").long().tolist()
        indices = tensors.pop("item_genres.indices").long().tolist()
        lengths = [offsets[i + 1] - offsets[i] for i in range(items)]
        pad = np.zeros((items, max(max(lengths), 1)), dtype=np.int64)
        for i in range(items):
            pad[i, :lengths[i]] = indices[offsets[i]:offsets[i + 1]]
        data.genre_count = int(metadata["tinykd.genres"])
        data.genre_pad, data.genre_lengths = pad, np.array(lengths, dtype=np.int64)
        hidden = [int(h) for h in metadata["tinykd.hidden"].split("-")]
        model = recsys_pytorch.NeuMF(data, width, int(metadata["tinykd.genre_width"]), hidden)
    model.load_state_dict(tensors, strict=True)
    return model.eval(), users, items


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=os.path.join("tests", "Fixtures", "safetensors"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    recsys_pytorch.torch, recsys_pytorch.nn, recsys_pytorch.F = torch, torch.nn, torch.nn.functional
    recsys_pytorch.make_classes()

    out = {}
    for kind in ("mf", "neumf"):
        tensors, metadata = load_safetensors(os.path.join(args.dir, f"tinykd-{kind}.safetensors"))
        model, users, items = build(tensors, metadata)
        u = torch.arange(users).repeat_interleave(items)
        i = torch.arange(items).repeat(users)
        with torch.no_grad():
            scores = model(u, i).reshape(users, items)
        out[f"{kind}.scores"] = {"shape": [users, items], "data": [float(v) for v in scores.reshape(-1).tolist()]}
        print(f"{kind}: loaded {', '.join(sorted(model.state_dict()))} strictly; scored {users} x {items} pairs")
    fixture = {
        "about": "recsys_pytorch.py's MF and NeuMF loaded (strict) from tinykd-mf/neumf.safetensors; eval-mode scores of every (user, item) pair",
        "config": {},
        "labels": {},
        "tensors": out,
    }
    with open(os.path.join(args.dir, "recsys-torch.json"), "w") as f:
        json.dump(fixture, f, sort_keys=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
