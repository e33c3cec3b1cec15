"""The BLAS that torch loaded, shared by the PyTorch scripts (compare_pytorch.py, experiment_distill_pytorch.py).

Debian's torch 1.13 uses whatever libblas.so.3 the alternatives system points at; with libopenblas0-pthread that is
OpenBLAS, whose own thread pool torch.set_num_threads does not control, so the scripts set it here through ctypes.
Import after torch is imported (the library must already be mapped into the process).
"""
import ctypes
import os


class Blas:
    """The BLAS torch loaded (found in /proc/self/maps) and, for OpenBLAS, its core name and thread control."""

    def __init__(self):
        with open("/proc/self/maps", encoding="utf-8") as maps:
            mapped = {fields[5] for fields in (line.split() for line in maps) if len(fields) >= 6}
        openblas = sorted(p for p in mapped if "openblas" in os.path.basename(p))
        blas = sorted(p for p in mapped if os.path.basename(p).startswith("libblas.so"))
        self.path = (openblas or blas or [None])[0]
        self.lib = None
        if openblas:
            self.lib = ctypes.CDLL(self.path)  # the already-loaded copy: dlopen returns the same handle
            self.lib.openblas_get_corename.restype = ctypes.c_char_p
            self.lib.openblas_get_config.restype = ctypes.c_char_p

    def set_threads(self, threads):
        if self.lib is not None:
            self.lib.openblas_set_num_threads(threads)

    def describe(self):
        if self.lib is None:
            return f"{self.path or 'unknown BLAS'} (not OpenBLAS: the reference BLAS is far slower)"
        core = self.lib.openblas_get_corename().decode()
        config = self.lib.openblas_get_config().decode().strip()
        return f"OpenBLAS core {core} ({config})"
