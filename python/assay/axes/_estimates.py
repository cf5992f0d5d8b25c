"""Grouped estimates over per-item scores: counts, means, naive and cluster-robust standard
errors and intervals, one vectorised pass per statistic (NumPy ``bincount`` over cell codes)."""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np

from ._dense import unique_codes


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of a ``confidence`` interval."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def cell_statistics(
    cell: np.ndarray, y: np.ndarray, cluster: np.ndarray | None, n_cells: int
) -> dict[str, np.ndarray]:
    """Per cell (code 0 … n_cells-1): ``n``, ``n_clusters``, ``estimate`` (mean), ``se``
    (sample standard deviation / √n) and ``se_cluster``.

    ``se_cluster`` is the CR1 cluster-robust standard error of the mean, as statsmodels' OLS on
    an intercept with ``cov_type="cluster"`` gives it: √(G/(G−1) · Σ_g (Σ_{i∈g} e_i)² / n²) for G
    clusters and residuals e. Without clusters every item is its own cluster, and it equals
    ``se``. Cells with fewer than 2 items or clusters get NaN errors.
    """
    n = np.bincount(cell, minlength=n_cells).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(cell, weights=y, minlength=n_cells) / n
        resid = y - mean[cell]
        ss = np.bincount(cell, weights=resid * resid, minlength=n_cells)
        se = np.sqrt(ss / (n - 1) / n)
        if cluster is None:
            groups = n
            se_cluster = se.copy()
        else:
            width = np.int64(cluster.max()) + 1 if len(cluster) else np.int64(1)
            key = cell.astype(np.int64) * width + cluster.astype(np.int64)
            unique, inverse = unique_codes(key)
            sums = np.bincount(inverse, weights=resid)
            owner = unique // width
            groups = np.bincount(owner, minlength=n_cells).astype(np.float64)
            between = np.bincount(owner, weights=sums * sums, minlength=n_cells)
            se_cluster = np.sqrt(groups / (groups - 1) * between / (n * n))
    se[n < 2] = np.nan
    se_cluster[groups < 2] = np.nan
    return {
        "n": n.astype(np.int64),
        "n_clusters": groups.astype(np.int64),
        "estimate": mean,
        "se": se,
        "se_cluster": se_cluster,
    }


def wilson(successes: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of a binomial proportion (as statsmodels'
    ``proportion_confint(method="wilson")``)."""
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return centre - half, centre + half


def points_per_unit(baseline: Any, high: Any) -> Any:
    """Normalized points per unit of raw score: 100 / (top of the range − baseline)."""
    return 100.0 / (high - baseline)


def normalize(estimate: np.ndarray, baseline: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The Open LLM Leaderboard v2 normalization: (raw − baseline) / (high − baseline) × 100,
    clipped at 0 (a score below random guessing counts as 0)."""
    out: np.ndarray = np.maximum((estimate - baseline) * points_per_unit(baseline, high), 0.0)
    return out
