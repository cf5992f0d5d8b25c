"""Paired comparisons of two models on the items both answered: the difference with a
cluster-robust interval, McNemar's exact test for binary scores, a cluster bootstrap test
otherwise, and the corrections for testing several benchmarks at once."""

from __future__ import annotations

import math

import numpy as np

from ._dense import cluster_codes, two_sided_p
from ._estimates import cell_statistics


def mcnemar_exact(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided exact McNemar p-value of paired 0/1 outcomes (as statsmodels'
    ``mcnemar(table, exact=True)``): the binomial test of the discordant pairs at ½."""
    only_a = int(np.count_nonzero((a == 1) & (b == 0)))
    only_b = int(np.count_nonzero((a == 0) & (b == 1)))
    return mcnemar_p(only_a, only_b)


def mcnemar_p(only_a: int, only_b: int) -> float:
    """McNemar's exact p from the discordant counts: 2 · P(X ≤ min) for X ~ Bin(n, ½), the
    probabilities summed in log space so that large n stays exact."""
    n = only_a + only_b
    if n == 0:
        return 1.0
    k = min(only_a, only_b)
    j = np.arange(k, dtype=np.float64)
    logs = np.concatenate([[0.0], np.cumsum(np.log((n - j) / (j + 1.0)))]) - n * math.log(2.0)
    top = float(logs.max())
    return min(1.0, 2.0 * math.exp(top) * float(np.exp(logs - top).sum()))


def paired_difference(diff: np.ndarray, cluster: np.ndarray | None) -> tuple[float, float]:
    """Mean paired difference and its cluster-robust (CR1) standard error."""
    stats = cell_statistics(np.zeros(len(diff), dtype=np.int64), diff, cluster, 1)
    return float(stats["estimate"][0]), float(stats["se_cluster"][0])


def bootstrap_p_value(
    diff: np.ndarray, cluster: np.ndarray | None, n_boot: int, rng: np.random.Generator
) -> tuple[float, np.ndarray]:
    """Two-sided p-value of a zero mean difference from a bootstrap that resamples clusters
    (items without clusters), and the resampled means. p = 2 · min(share ≤ 0, share ≥ 0)."""
    codes, k = cluster_codes(cluster, len(diff))
    sums = np.bincount(codes, weights=diff, minlength=k)
    sizes = np.bincount(codes, minlength=k).astype(np.float64)
    draws = rng.integers(0, k, size=(n_boot, k))
    means = sums[draws].sum(axis=1) / sizes[draws].sum(axis=1)
    return float(two_sided_p(means)), means


def adjust(p: np.ndarray, method: str) -> np.ndarray:
    """p-values adjusted for multiple tests: Holm's step-down (family-wise error) or
    Benjamini-Hochberg's step-up (false discovery rate), as statsmodels' ``multipletests``."""
    p = np.asarray(p, dtype=np.float64)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        stepped = np.maximum.accumulate(np.minimum((m - np.arange(m)) * ranked, 1.0))
    elif method in ("bh", "fdr_bh"):
        stepped = np.minimum.accumulate(m / np.arange(m, 0, -1) * ranked[::-1])[::-1]
        stepped = np.minimum(stepped, 1.0)
    else:
        raise ValueError(f"adjust: unknown method {method!r}; use 'holm' or 'bh'")
    out = np.empty(m)
    out[order] = stepped
    return out
