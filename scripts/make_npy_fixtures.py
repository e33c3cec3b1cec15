#!/usr/bin/env python3
"""Writes the small NumPy .npy files that tests/Data/NpyFileTests.cs reads (tests/Fixtures/npy/*.npy).

Run from the repository root with Debian's NumPy (/usr/bin/python3):

    /usr/bin/python3 scripts/make_npy_fixtures.py [--out tests/Fixtures/npy]

Every array is the same [3, 4] matrix (i - 5.5) / 4 for i = 0 ... 11, exact in float32, saved in a different
layout, so the tests know every value without reading NumPy's output back:
    float32-3x4.npy            np.save: format 1.0, '<f4', C order (what TinyKd reads; its writer writes these bytes)
    float32-3x4-v2.npy         the same array in format 2.0 (4-byte header length)
    float32-3x4-v3.npy         the same array in format 3.0 (UTF-8 header)
    float32-0x5.npy            an empty [0, 5] float32 array
    float64-3x4.npy            dtype '<f8'                           (rejected)
    float32-3x4-bigendian.npy  dtype '>f4'                           (rejected)
    float32-3x4-fortran.npy    fortran_order True                    (rejected)
    float32-rank1.npy          shape (12,)                           (rejected)
    float32-2x3x2.npy          shape (2, 3, 2)                       (rejected)
"""
import argparse
import os

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("tests", "Fixtures", "npy"))
    out = parser.parse_args().out
    os.makedirs(out, exist_ok=True)
    a = ((np.arange(12) - 5.5) / 4).astype(np.float32).reshape(3, 4)

    def path(name):
        return os.path.join(out, name)

    np.save(path("float32-3x4.npy"), a)
    for version in ((2, 0), (3, 0)):
        with open(path(f"float32-3x4-v{version[0]}.npy"), "wb") as f:
            np.lib.format.write_array(f, a, version=version)
    np.save(path("float32-0x5.npy"), np.zeros((0, 5), dtype=np.float32))
    np.save(path("float64-3x4.npy"), a.astype(np.float64))
    np.save(path("float32-3x4-bigendian.npy"), a.astype(">f4"))
    np.save(path("float32-3x4-fortran.npy"), np.asfortranarray(a))
    np.save(path("float32-rank1.npy"), a.reshape(12))
    np.save(path("float32-2x3x2.npy"), a.reshape(2, 3, 2))


if __name__ == "__main__":
    main()
