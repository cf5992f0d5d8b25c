"""assay's CUDA kernels compiled by NVRTC through CuPy (``cupy.RawModule``), once per device.

The kernels (``dedup/minhash_kernels.cu``, ``spectral_kernels.cu``) loop over their items
grid-stride, or one thread block per item (``per_block``) with the block's threads striding over
each phase. A launcher takes integer arguments as ``long long`` and arrays as device pointers,
which must be C-contiguous (a strided view would be read as if it were not).
"""

from __future__ import annotations

import pathlib
from typing import Any, Protocol

import numpy as np

THREADS = 256
BLOCK_THREADS = 1024
"""Threads of a block that handles one item by itself (``per_block``)."""


class Kernels(Protocol):
    """Launches a kernel over ``items`` items (``per_block``: one thread block per item)."""

    def launch(self, name: str, items: int, *args: Any, per_block: bool = False) -> None: ...


class CudaKernels:
    """The kernels of one CUDA source, compiled for the current device."""

    def __init__(self, cp: Any, source: pathlib.Path, names: tuple[str, ...]) -> None:
        self._cp = cp
        # No options: the sources compile in every C++ dialect NVRTC takes (tested), so none of
        # ours can clash with those CuPy adds.
        module = cp.RawModule(code=source.read_text())
        self._fns = {name: module.get_function(name) for name in names}
        self.sms = cp.cuda.Device().attributes["MultiProcessorCount"]
        # Launch shape, tunable per instance (benches/bench_gpu.py sweeps them): the grid cap,
        # and the threads of a per-item block (a power of two, at most 1024).
        self.max_blocks = 32 * self.sms
        self.block_threads = BLOCK_THREADS

    def launch(self, name: str, items: int, *args: Any, per_block: bool = False) -> None:
        if items == 0:
            return
        wanted = items if per_block else (items + THREADS - 1) // THREADS
        blocks = int(min(wanted, self.max_blocks))
        conv = tuple(np.int64(a) if isinstance(a, (int, np.integer)) else a for a in args)
        if not all(a.flags.c_contiguous for a in conv if isinstance(a, self._cp.ndarray)):
            raise AssertionError(f"{name}: a kernel argument is not contiguous")
        self._fns[name]((blocks,), (self.block_threads if per_block else THREADS,), conv)


_COMPILED: dict[tuple[pathlib.Path, int], CudaKernels] = {}


def compiled(cp: Any, source: pathlib.Path, names: tuple[str, ...]) -> CudaKernels:
    """The kernels ``names`` of ``source`` for the current CUDA device (compiled on first use)."""
    key = (source, cp.cuda.Device().id)
    if key not in _COMPILED:
        _COMPILED[key] = CudaKernels(cp, source, names)
    return _COMPILED[key]


def to_device(xp: Any, host: np.ndarray) -> Any:
    """A copy of the C-contiguous host array ``host`` on the current device, by one
    ``cudaMemcpy``: from page-locked memory a single DMA, done when this returns (so ``host`` may
    be refilled). ``cupy.asarray`` would first copy it into a pinned buffer of its own."""
    if xp is np:
        return host.copy()
    device = xp.empty(host.shape, dtype=host.dtype)
    device.set(host)
    return device
