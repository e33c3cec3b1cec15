#!/usr/bin/env python3
"""Writes the stratified Fashion-MNIST sample that TinyKd embeds (data/fashion-mnist-sample/).

From each split of the full set (the Debian package dataset-fashion-mnist, installed by
scripts/install-full-data.sh) it draws a fixed number of examples per class with a seeded
random.Random, keeps them in their original order, and writes gzipped IDX files with the
standard names. The gzip header carries no file name and mtime 0, so the output is
byte-identical on every run with the same Python/zlib.

Usage: python3 scripts/make_fashion_sample.py [--source DIR] [--out DIR]
Python standard library only.
"""
import argparse
import gzip
import os
import random
import struct

SEED = 20170825  # Fashion-MNIST's arXiv date; any fixed value would do.
CLASSES = 10
SPLITS = (("train", 1000), ("t10k", 200))  # (file prefix, examples per class)
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801


def read_idx(path, magic, dims):
    with gzip.open(path, "rb") as f:
        data = f.read()
    found = struct.unpack(">I", data[:4])[0]
    if found != magic:
        raise SystemExit(f"{path}: magic 0x{found:08x}, expected 0x{magic:08x}")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def write_idx(path, magic, shape, payload):
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * len(shape), *shape)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
            f.write(header)
            f.write(payload)


def sample_split(source, out, prefix, per_class, rng):
    (n, rows, cols), pixels = read_idx(os.path.join(source, f"{prefix}-images-idx3-ubyte.gz"), IMAGES_MAGIC, 3)
    (n_labels,), labels = read_idx(os.path.join(source, f"{prefix}-labels-idx1-ubyte.gz"), LABELS_MAGIC, 1)
    if n != n_labels:
        raise SystemExit(f"{prefix}: {n} images but {n_labels} labels")
    by_class = [[] for _ in range(CLASSES)]
    for i, label in enumerate(labels):
        by_class[label].append(i)
    chosen = []
    for c in range(CLASSES):
        chosen.extend(rng.sample(by_class[c], per_class))
    chosen.sort()
    size = rows * cols
    image_bytes = b"".join(pixels[i * size:(i + 1) * size] for i in chosen)
    label_bytes = bytes(labels[i] for i in chosen)
    write_idx(os.path.join(out, f"{prefix}-images-idx3-ubyte.gz"), IMAGES_MAGIC, (len(chosen), rows, cols), image_bytes)
    write_idx(os.path.join(out, f"{prefix}-labels-idx1-ubyte.gz"), LABELS_MAGIC, (len(chosen),), label_bytes)
    print(f"{prefix}: {len(chosen)} of {n} examples ({per_class} per class)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--out", default=os.path.join(here, "..", "data", "fashion-mnist-sample"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(SEED)
    for prefix, per_class in SPLITS:
        sample_split(args.source, args.out, prefix, per_class, rng)


if __name__ == "__main__":
    main()
