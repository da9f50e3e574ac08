"""Pins numpy's bundled OpenBLAS to one thread in this worker process.

Measured on the 2-core CI machines (docs/performance.md, and again for the coder): with the
default two BLAS threads, spaCy's small matrix products spin-wait and coding CPU time grows
3-5x under load; OPENBLAS_NUM_THREADS=1 removes it. Workers are one per core, so a second BLAS
thread never helps. The environment variable only works before numpy loads, hence this call.
Failure is harmless: the coder still runs, only slower.
"""

from __future__ import annotations

import ctypes
import glob
import os

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def limit_blas_threads() -> bool:
    """Ask every OpenBLAS numpy bundles for one thread; True when one accepted."""
    try:
        import numpy
    except ImportError:
        return False
    root = os.path.dirname(numpy.__file__)
    done = False
    for path in glob.glob(os.path.join(root, os.pardir, "numpy.libs", "*openblas*")) + glob.glob(
        os.path.join(root, ".libs", "*openblas*")
    ):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(1)
                done = True
                break
    return done
