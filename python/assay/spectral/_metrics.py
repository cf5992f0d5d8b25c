"""Spectral metrics of batched matrices (the family's definitions are in the package docstring):
batching, checks and the Rust kernel call; CUDA input goes to ``_gpu``.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _native
from .._arrays import float_array, on_gpu
from .._errors import ShapeError
from ._lengths import checked_lengths
from ._unit_scale import unit_scales

#: Metric names in the order the kernels return them ("renyi" is suffixed with alpha).
COLUMNS = (
    "entropy",
    "erank",
    "normalized_entropy",
    "renyi",
    "participation_ratio",
    "stable_rank",
    "numerical_rank",
    "rankme",
)


class Batch:
    """Host input normalized for the kernels: rows × d data, one (start, length) per matrix."""

    def __init__(self, data: np.ndarray, starts: np.ndarray, lengths: np.ndarray, single: bool):
        self.data, self.starts, self.lengths, self.single = data, starts, lengths, single


def _dtype(dtype: Any) -> np.dtype | None:
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dt not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    out: np.dtype = dt
    return out


def _ragged(x: Sequence[Any], dtype: np.dtype | None) -> Batch:
    if len(x) == 0:
        raise ValueError("x is empty: the list holds no matrices")
    mats = [float_array(m, f"x[{i}]", ndim=2) for i, m in enumerate(x)]
    d = mats[0].shape[1]
    for i, m in enumerate(mats):
        if m.shape[1] != d:
            raise ShapeError(
                f"x[{i}] has {m.shape[1]} columns but x[0] has {d}; "
                "every matrix of a ragged batch needs the same d"
            )
    if dtype is None:
        dtype = (
            np.dtype(np.float32)
            if all(m.dtype == np.float32 for m in mats)
            else np.dtype(np.float64)
        )
    lengths = np.array([m.shape[0] for m in mats], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    data = np.concatenate([m.astype(dtype, copy=False) for m in mats], axis=0)
    return Batch(np.ascontiguousarray(data), starts, lengths, single=False)


def prepare(x: Any, lengths: Any = None, dtype: Any = None) -> Batch:
    """Normalize a matrix, a (B, T, d) batch (with optional ``lengths``) or a ragged list."""
    dt = _dtype(dtype)
    if isinstance(x, (list, tuple)):
        if lengths is not None:
            raise ValueError("lengths applies to a padded (B, T, d) batch, not to a list")
        return _ragged(x, dt)
    arr = float_array(x, "x")
    if dt is not None:
        arr = np.ascontiguousarray(arr, dtype=dt)
    if arr.ndim == 2:
        if lengths is not None:
            raise ValueError("lengths applies to a padded (B, T, d) batch, not to one matrix")
        t, d = arr.shape
        return Batch(arr, np.zeros(1, np.int64), np.array([t], np.int64), single=True)
    if arr.ndim != 3:
        raise ShapeError(
            "x must be a (T, d) matrix, a (B, T, d) batch or a list of (T, d) "
            f"matrices, got shape {arr.shape}"
        )
    b, t, d = arr.shape
    if b == 0:
        raise ValueError("x is empty: the batch holds no matrices")
    lens = np.full(b, t, np.int64) if lengths is None else checked_lengths(lengths, b, t)
    starts = np.arange(b, dtype=np.int64) * t
    return Batch(arr.reshape(b * t, d), starts, lens, single=False)


def _check_degenerate(table: Any, strict: bool) -> None:
    bad = np.flatnonzero(np.isnan(np.asarray(table[:, 0].tolist(), dtype=np.float64)))
    if bad.size == 0:
        return
    msg = (
        f"x: {bad.size} of {table.shape[0]} matrices are degenerate (a centred row is zero: "
        f"T = 1, all rows equal, or a row equal to the token mean), first at index "
        f"{int(bad[0])}; their metrics are NaN"
    )
    if strict:
        raise ValueError(msg)
    warnings.warn(msg, RuntimeWarning, stacklevel=3)


def _rescaled(batch: Batch) -> Batch:
    """The batch with each matrix far from unit magnitude scaled by a power of two (see
    :mod:`assay.spectral._unit_scale`)."""
    data = batch.data
    if not data.size or not len(batch.starts):
        return batch
    row_max = np.abs(data).max(axis=1)
    peaks = np.zeros(len(batch.starts))
    for k, (start, length) in enumerate(zip(batch.starts, batch.lengths, strict=True)):
        if length:
            peaks[k] = row_max[start : start + length].max()
    scales = unit_scales(np, peaks)
    if scales is None:
        return batch
    per_row = np.ones(len(data), dtype=data.dtype)
    for k in np.flatnonzero(scales != 1.0):
        start, length = batch.starts[k], batch.lengths[k]
        per_row[start : start + length] = scales[k]
    return Batch(np.ascontiguousarray(data * per_row[:, None]), batch.starts, batch.lengths,
                 batch.single)  # fmt: skip


def _table(
    x: Any,
    lengths: Any,
    dtype: Any,
    strict: bool,
    alpha: float,
    rankme: bool,
    rank_rtol: float | None,
) -> tuple[Any, bool]:
    """(B, 8) metrics table (NumPy, or CuPy for GPU input) and whether x was one matrix."""
    gpu = on_gpu(x) or (isinstance(x, (list, tuple)) and any(on_gpu(m) for m in x))
    if gpu:
        from . import _gpu

        table, single = _gpu.metrics_table(
            x, lengths=lengths, dtype=_dtype(dtype), alpha=alpha, rankme=rankme, rank_rtol=rank_rtol
        )
    else:
        batch = _rescaled(prepare(x, lengths, dtype))
        kernel = (
            _native.spectral_metrics_f32
            if batch.data.dtype == np.float32
            else _native.spectral_metrics_f64
        )
        table = kernel(
            batch.data, batch.starts, batch.lengths, alpha=alpha, rankme=rankme, rank_rtol=rank_rtol
        )
        single = batch.single
    _check_degenerate(table, strict)
    return table, single


def _column(x: Any, col: int, lengths: Any, dtype: Any, strict: bool) -> Any:
    table, single = _table(x, lengths, dtype, strict, 2.0, False, None)
    out = table[:, col]
    return float(out[0]) if single else out


def entropy(x: Any, *, lengths: Any = None, dtype: Any = None, strict: bool = False) -> Any:
    """Matrix entropy H = −Σ λ ln λ (nats) of each representation matrix.

    Parameters
    ----------
    x : array_like or list of array_like
        One (T, d) matrix, a (B, T, d) batch, or a list of (T_i, d) matrices. NumPy arrays,
        torch tensors (zero-copy) or CuPy arrays / CUDA tensors (computed on the GPU).
        float32 and float64 are kept; integers and bools are upcast to float64.
    lengths : array_like of int, shape (B,), optional
        Valid rows of each matrix of a padded (B, T, d) batch (rows past them are ignored,
        padding may hold anything).
    dtype : {None, "float32", "float64"}
        Compute dtype; by default the input's (float32 input computes in float32).
    strict : bool
        Raise ``ValueError`` instead of warning when a matrix is degenerate (NaN result).

    Returns
    -------
    float or numpy.ndarray of float64, shape (B,)
        A float for one matrix; an array for a batch or list (a CuPy array for GPU input).
    """
    return _column(x, 0, lengths, dtype, strict)


def erank(x: Any, *, lengths: Any = None, dtype: Any = None, strict: bool = False) -> Any:
    """Effective rank exp(H) of each representation matrix; arguments as in :func:`entropy`."""
    return _column(x, 1, lengths, dtype, strict)


def metrics(
    x: Any,
    which: Sequence[str] | None = None,
    *,
    lengths: Any = None,
    dtype: Any = None,
    strict: bool = False,
    alpha: float = 2.0,
    rank_rtol: float | None = None,
) -> pd.DataFrame:
    """All spectral metrics of each matrix, one row per matrix, from one eigensolve.

    Parameters
    ----------
    x, lengths, dtype, strict
        As in :func:`entropy`.
    which : sequence of str, optional
        Columns to return (``"renyi"`` or ``"renyi_<alpha>"`` for the Rényi entropy); all by
        default. RankMe needs a second eigensolve on the raw matrix and runs only if asked.
    alpha : float
        Order of the Rényi entropy (> 0; ``float("inf")`` for the min-entropy).
    rank_rtol : float, optional
        Relative threshold of ``numerical_rank`` on λ; default max(T, d) · ε of the dtype.

    Returns
    -------
    pandas.DataFrame
        Columns ``entropy, erank, normalized_entropy, renyi_<alpha>, participation_ratio,
        stable_rank, numerical_rank, rankme`` (or those in ``which``), float64, B rows.
    """
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not alpha >= 0:
        raise ValueError(f"alpha must be a number >= 0 (inf allowed), got {alpha!r}")
    renyi = f"renyi_{alpha:g}"
    names = [renyi if c == "renyi" else c for c in COLUMNS]
    if which is None:
        wanted = names
    else:
        wanted = [
            renyi if w == "renyi" else w for w in ([which] if isinstance(which, str) else which)
        ]
        unknown = [w for w in wanted if w not in names]
        if unknown:
            raise ValueError(f"which: unknown metric(s) {unknown}; choose from {names}")
    table, _ = _table(x, lengths, dtype, strict, alpha, "rankme" in wanted, rank_rtol)
    host = table.get() if hasattr(table, "get") else table
    frame = pd.DataFrame(np.asarray(host), columns=names)
    return frame[wanted]
