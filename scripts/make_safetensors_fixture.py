#!/usr/bin/env python3
"""Writes the PyTorch MLP that tests/Interop imports (tests/Fixtures/safetensors/).

Run from the repository root with Debian's python3-torch (1.13; /usr/bin/python3):

    /usr/bin/python3 scripts/make_safetensors_fixture.py [--out tests/Fixtures/safetensors]

It builds nn.Sequential(Linear(20,16), ReLU, Dropout(0.5), Linear(16,12), ReLU, Dropout(0.5), Linear(12,5)) from
torch.manual_seed(SEED), and writes
    torch-mlp.safetensors  its state_dict() ("0.weight", "0.bias", "3.weight", ... "6.bias") in the safetensors
                           format, written here with struct + json as the reference implementation lays it out (Debian
                           has no python3-safetensors): u64 little-endian header length, the JSON header with
                           {"__metadata__": {"format": "pt"}} and the tensors in name order, padded with spaces to a
                           multiple of 8 bytes, then the float32 data contiguous in the same order;
    torch-mlp.json         8 inputs x [8, 20] and the model's eval-mode logits [8, 5] (dropout off), in the layout of
                           scripts/make_fixtures.py ("tensors": name -> {"shape", "data"}).
Everything is float32 on the CPU with one thread, so a rerun on the same PyTorch build rewrites the same bytes.
"""
import argparse
import json
import os
import struct

import torch
from torch import nn

SEED = 1729
SIZES = [20, 16, 12, 5]
BATCH = 8


def save_safetensors(path, tensors, metadata):
    """The safetensors layout: tensors sorted by name, data contiguous in that order, header padded to 8 bytes."""
    header = {"__metadata__": metadata} if metadata else {}
    data = bytearray()
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        raw = struct.pack("<%df" % t.numel(), *t.reshape(-1).tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(data)


def record(store, name, t):
    t = t.detach().to(torch.float32).contiguous()
    store[name] = {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("tests", "Fixtures", "safetensors"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(SEED)

    layers = []
    for i in range(len(SIZES) - 1):
        layers.append(nn.Linear(SIZES[i], SIZES[i + 1]))
        if i + 2 < len(SIZES):
            layers += [nn.ReLU(), nn.Dropout(0.5)]
    model = nn.Sequential(*layers).eval()
    x = torch.randn(BATCH, SIZES[0])
    with torch.no_grad():
        logits = model(x)

    save_safetensors(os.path.join(args.out, "torch-mlp.safetensors"), model.state_dict(), {"format": "pt"})
    tensors = {}
    record(tensors, "x", x)
    record(tensors, "logits", logits)
    fixture = {
        "about": "nn.Sequential(Linear(20,16), ReLU, Dropout(0.5), Linear(16,12), ReLU, Dropout(0.5), Linear(12,5)) "
                 "in eval mode, torch.manual_seed(%d); its state_dict is torch-mlp.safetensors" % SEED,
        "config": {"seed": SEED},
        "labels": {},
        "tensors": tensors,
    }
    with open(os.path.join(args.out, "torch-mlp.json"), "w") as f:
        json.dump(fixture, f, sort_keys=True, indent=1)
        f.write("\n")
    print("wrote", ", ".join(sorted(model.state_dict())), "and", BATCH, "logits to", args.out)


if __name__ == "__main__":
    main()
