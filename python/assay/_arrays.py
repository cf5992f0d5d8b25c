"""Array intake shared by every kernel: NumPy as is, torch and other DLPack producers
zero-copy, CUDA arrays routed to the GPU path."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import ShapeError

KDL_CUDA = 2
FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def on_gpu(x: Any) -> bool:
    """True for CUDA tensors and CuPy arrays (anything whose DLPack device is CUDA)."""
    device = getattr(x, "__dlpack_device__", None)
    return device is not None and not isinstance(x, np.ndarray) and device()[0] == KDL_CUDA


def to_numpy(x: Any, name: str) -> np.ndarray:
    """A NumPy view of ``x`` without copying where the producer allows it.

    torch CPU tensors and other DLPack producers are viewed through DLPack (shared memory);
    tensors that require grad are detached first (the values are the same memory).
    """
    if isinstance(x, np.ndarray):
        return x
    if on_gpu(x):
        raise TypeError(f"{name} lives on a GPU; this function takes host arrays")
    detach = getattr(x, "detach", None)
    if callable(detach) and getattr(x, "requires_grad", False):
        x = detach()
    if hasattr(x, "__dlpack__"):
        try:
            return np.from_dlpack(x)
        except (BufferError, TypeError, RuntimeError):
            pass  # e.g. bool or bfloat16 tensors: fall through to a copy
    return np.asarray(x)


def float_array(x: Any, name: str, ndim: int | None = None) -> np.ndarray:
    """A C-contiguous float32/float64 array: float32 and float64 kept, integers and bools
    upcast to float64, complex and non-numeric input rejected with a TypeError."""
    arr = to_numpy(x, name)
    if ndim is not None and arr.ndim != ndim:
        raise ShapeError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got {arr.dtype}")
    if arr.dtype not in FLOATS:
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be numeric, got {arr.dtype}")
        arr = arr.astype(np.float64)
    return np.ascontiguousarray(arr)


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise ValueError naming ``name`` and the first bad position if ``arr`` holds NaN/inf."""
    if arr.size and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        where = tuple(int(i) for i in bad)
        raise ValueError(f"{name} holds {arr[where]} at index {where}; values must be finite")
