"""Eigenvalues of a batch of symmetric matrices on the GPU (CuPy and ``spectral_kernels.cu``).

One thread block reduces one matrix to tridiagonal form (Householder, in place; the trailing
block is read twice a step, as its rank-2 update and the next reflector's product share one
pass), then one thread per eigenvalue bisects the tridiagonal matrix's Sturm count. It gives
LAPACK's accuracy (absolute errors of a few eps·‖A‖) without cuSOLVER's per-matrix ``syevd``
calls, whose cost is fixed per matrix, not per batch.
Every function takes the array module ``xp`` and a kernel launcher, so the tests run the
same CUDA source built for the host with NumPy arrays (tests/gpu_host_kernels.py).
"""

from __future__ import annotations

import pathlib
from typing import Any

from .._cuda import Kernels, compiled

KERNEL_SOURCE = pathlib.Path(__file__).with_name("spectral_kernels.cu")
KERNEL_NAMES = ("tridiagonalize_f32", "tridiagonalize_f64", "bisect_f32", "bisect_f64")


def symmetric_eigenvalues(xp: Any, g: Any, kernels: Kernels | None = None) -> Any:
    """Ascending eigenvalues, shape (B, n), of a (B, n, n) batch of symmetric float32 or float64
    matrices (as ``xp.linalg.eigvalsh``); ``g`` is left as it is."""
    if g.dtype not in (xp.float32, xp.float64):
        raise TypeError(f"symmetric_eigenvalues needs float32 or float64, got {g.dtype}")
    kernels = kernels or compiled(xp, KERNEL_SOURCE, KERNEL_NAMES)
    b, n, _ = g.shape
    kind = "f32" if g.dtype == xp.float32 else "f64"
    a = xp.array(g, order="C", copy=True)
    d, e, ev = (xp.zeros((b, n), dtype=g.dtype) for _ in range(3))
    v, p = (xp.zeros((b, 2 * n), dtype=g.dtype) for _ in range(2))  # this step's and the next's
    kernels.launch(f"tridiagonalize_{kind}", b, a, b, n, d, e, v, p, per_block=True)
    kernels.launch(f"bisect_{kind}", b * n, d, e, b, n, ev)
    return ev
