"""The token counts of a padded batch of matrices, checked once for the CPU and GPU paths."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import ShapeError


def checked_lengths(lengths: Any, b: int, t: int) -> np.ndarray:
    """Per-matrix token counts of a padded (B, T, d) batch as int64, each in 1 … T."""
    arr = np.asarray(lengths)
    if arr.shape != (b,):
        raise ShapeError(f"lengths must have shape ({b},) (one per matrix), got {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"lengths must be integers, got {arr.dtype}")
    arr = arr.astype(np.int64)
    if (arr < 1).any():
        i = int(np.argmax(arr < 1))
        raise ValueError(f"lengths[{i}] = {arr[i]}; every matrix needs at least one token")
    if (arr > t).any():
        i = int(np.argmax(arr > t))
        raise ShapeError(f"lengths[{i}] = {arr[i]} exceeds the padded length T = {t}")
    return arr
