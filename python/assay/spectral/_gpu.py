"""GPU path of the spectral metrics (CuPy), imported lazily for CUDA input.

Batched over matrices of one padded length: centre and normalize with a row mask, one batched
Gram product on the smaller side (cuBLAS), batched eigenvalues by assay's own kernels
(``_gpu_eigen``: tridiagonalisation by one thread block per matrix, bisection by one thread per
eigenvalue), metrics vectorised. Every function takes the array module ``xp`` (and a kernel
launcher) so the same code runs on NumPy in CPU tests, with the CUDA kernels built for the host
or with NumPy's ``eigvalsh`` when none is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import ShapeError
from ._gpu_eigen import symmetric_eigenvalues
from ._lengths import checked_lengths
from ._unit_scale import unit_scales

try:  # pragma: no cover - exercised only on GPU machines
    import cupy as cp
except ImportError:  # pragma: no cover
    cp = None

N_METRICS = 8


def _require_cupy() -> Any:
    if cp is None:
        raise ImportError("GPU input needs CuPy: pip install 'assay[gpu]'")
    return cp


def _gram_eigenvalues(xp: Any, a: Any, kernels: Any) -> Any:
    """Ascending eigenvalues of the Gram matrices of a (B, T, d) batch on the smaller side."""
    t, d = a.shape[1], a.shape[2]
    at = xp.swapaxes(a, 1, 2)
    g = a @ at if t <= d else at @ a
    if xp is np and kernels is None:
        return xp.linalg.eigvalsh(g)
    return symmetric_eigenvalues(xp, g, kernels)


def padded_metrics(
    xp: Any,
    x: Any,
    lengths: Any,
    alpha: float,
    rankme: bool,
    rank_rtol: float | None,
    eps: float,
    kernels: Any = None,
) -> Any:
    """(B, 8) metrics of a (B, T, d) float batch whose matrix b has ``lengths[b]`` rows."""
    b, t, d = x.shape
    lens = xp.asarray(lengths, dtype=x.dtype)
    mask = (xp.arange(t)[None, :] < xp.asarray(lengths)[:, None])[:, :, None]
    xm = xp.where(mask, x, 0)
    mean = xm.sum(axis=1, keepdims=True) / lens[:, None, None]
    z = xp.where(mask, xm - mean, 0)
    big = xp.abs(z).max(axis=2, keepdims=True)
    degenerate = ((big[:, :, 0] == 0) & mask[:, :, 0]).any(axis=1)
    big = xp.where(big == 0, 1, big)
    z = z / big
    z = z / xp.where(mask, xp.sqrt((z * z).sum(axis=2, keepdims=True)), 1)
    ev = _gram_eigenvalues(xp, z, kernels).astype(xp.float64)
    lam = xp.clip(ev / ev.sum(axis=1, keepdims=True), 0, None)
    out = xp.full((b, N_METRICS), xp.nan, dtype=xp.float64)
    safe = xp.where(lam > 0, lam, 1.0)
    h = -(lam * xp.log(safe)).sum(axis=1)
    lmax = lam.max(axis=1)
    total = lam.sum(axis=1)
    out[:, 0] = h
    out[:, 1] = xp.exp(h)
    out[:, 2] = h / np.log(d) if d > 1 else xp.nan
    if alpha == 1:
        out[:, 3] = h
    elif np.isinf(alpha):
        out[:, 3] = -xp.log(lmax)
    else:
        out[:, 3] = xp.log(xp.where(lam > 0, safe**alpha, 0).sum(axis=1)) / (1 - alpha)
    out[:, 4] = total**2 / (lam * lam).sum(axis=1)
    out[:, 5] = total / lmax
    lens64 = xp.asarray(lengths).astype(xp.float64)
    rtol = xp.maximum(lens64, d) * eps if rank_rtol is None else rank_rtol
    out[:, 6] = (lam > (rtol * lmax)[:, None]).sum(axis=1)
    if rankme:
        ev_raw = _gram_eigenvalues(xp, xm, kernels).astype(xp.float64)
        n = ev_raw.shape[1]
        # A padded (T > T_b) Gram has T − min(T_b, d) extra zeros: keep min(T_b, d) values.
        keep = xp.minimum(xp.asarray(lengths), d)[:, None]
        ranked = xp.arange(n)[None, ::-1]  # descending position of each ascending eigenvalue
        valid = ranked < keep
        emax = ev_raw.max(axis=1, keepdims=True)
        sigma = xp.where(valid & (ev_raw > keep * eps * emax), xp.sqrt(xp.clip(ev_raw, 0, None)), 0)
        p = sigma / sigma.sum(axis=1, keepdims=True) + 1e-7
        out[:, 7] = xp.exp(-xp.where(valid, p * xp.log(p), 0).sum(axis=1))
    out[degenerate] = xp.nan
    return out


def _as_xp(xp: Any, m: Any) -> Any:
    """An ``xp`` array of ``m``; torch CUDA tensors are shared zero-copy through DLPack."""
    if callable(getattr(m, "detach", None)):
        m = m.detach()
    if xp is not np and hasattr(m, "__dlpack__") and not isinstance(m, xp.ndarray):
        return xp.from_dlpack(m)
    return xp.asarray(m)


def _check_finite(xp: Any, x: Any, lengths: Any, name: str) -> None:
    t = x.shape[1]
    mask = (xp.arange(t)[None, :] < xp.asarray(lengths)[:, None])[:, :, None]
    bad = mask & ~xp.isfinite(x)
    if bool(bad.any()):
        where = tuple(int(i) for i in xp.argwhere(bad)[0])
        raise ValueError(f"{name}: holds {float(x[where])} at index {where}; values must be finite")


def metrics_table(
    x: Any,
    *,
    lengths: Any = None,
    dtype: Any = None,
    alpha: float = 2.0,
    rankme: bool = True,
    rank_rtol: float | None = None,
    xp: Any = None,
    kernels: Any = None,
) -> tuple[Any, bool]:
    """(B, 8) metrics (an ``xp`` array) of a GPU matrix, batch or list; and whether single.

    ``kernels``: the eigenvalue kernels' launcher (``_gpu_eigen``); None means the CUDA build on
    CuPy and NumPy's ``eigvalsh`` on NumPy."""
    xp = xp or _require_cupy()
    if not alpha > 0:
        raise ValueError(f"alpha: must be > 0, got {alpha}")
    if isinstance(x, (list, tuple)):
        if len(x) == 0:
            raise ValueError("x is empty: the list holds no matrices")
        mats = [_as_xp(xp, m) for m in x]
        for i, m in enumerate(mats):
            if m.ndim != 2:
                raise ShapeError(f"x[{i}] must be 2-D, got shape {m.shape}")
            if m.shape[1] != mats[0].shape[1]:
                raise ShapeError(
                    f"x[{i}] has {m.shape[1]} columns but x[0] has "
                    f"{mats[0].shape[1]}; every matrix of a ragged batch needs "
                    "the same d"
                )
        t = max(m.shape[0] for m in mats)
        d = mats[0].shape[1]
        dt = dtype or (xp.float32 if all(m.dtype == xp.float32 for m in mats) else xp.float64)
        padded = xp.zeros((len(mats), t, d), dtype=dt)
        for i, m in enumerate(mats):
            padded[i, : m.shape[0]] = m
        lens = np.array([m.shape[0] for m in mats])
        return _run(xp, padded, lens, alpha, rankme, rank_rtol, kernels), False
    arr = _as_xp(xp, x)
    if arr.dtype.kind == "c":
        raise TypeError(f"x must be real, got {arr.dtype}")
    dt = dtype or (arr.dtype if arr.dtype in (xp.float32, xp.float64) else xp.float64)
    arr = arr.astype(dt, copy=False)
    if arr.ndim == 2:
        if lengths is not None:
            raise ValueError("lengths applies to a padded (B, T, d) batch, not to one matrix")
        one = np.array([arr.shape[0]])
        return _run(xp, arr[None], one, alpha, rankme, rank_rtol, kernels), True
    if arr.ndim != 3:
        raise ShapeError(
            "x must be a (T, d) matrix, a (B, T, d) batch or a list of (T, d) "
            f"matrices, got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError("x is empty: the batch holds no matrices")
    b, t, _ = arr.shape
    lens = (
        np.full(b, t)
        if lengths is None
        else checked_lengths(lengths.get() if hasattr(lengths, "get") else lengths, b, t)
    )
    return _run(xp, arr, lens, alpha, rankme, rank_rtol, kernels), False


def _run(
    xp: Any,
    x: Any,
    lens: np.ndarray,
    alpha: float,
    rankme: bool,
    rank_rtol: float | None,
    kernels: Any,
) -> Any:
    if x.shape[1] == 0 or x.shape[2] == 0:
        raise ShapeError(f"x must have at least one row and one column, got shape {x.shape}")
    if (lens < 1).any():
        raise ShapeError("x must have at least one row per matrix")
    _check_finite(xp, x, lens, "x")
    scales = unit_scales(xp, xp.abs(x).reshape(x.shape[0], -1).max(axis=1))
    if scales is not None:  # as the CPU path: scale-invariant metrics, exact rescaling
        x = x * scales.astype(x.dtype)[:, None, None]
    eps = float(np.finfo(x.dtype).eps)
    with np.errstate(all="ignore"):  # degenerate matrices: NaN by design (NumPy would warn)
        return padded_metrics(xp, x, xp.asarray(lens), alpha, rankme, rank_rtol, eps, kernels)
