"""All paired comparisons at once: per benchmark, one set of resamples serves every pair of
models that answered all its items (the shared items are the benchmark's), so the bootstrap
costs a matrix product per benchmark instead of a resampling per pair."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._corpus import paired_corpus
from ._dense import Dense, cluster_codes, resample_counts, two_sided_p
from ._estimates import z_value
from ._paired import bootstrap_p_value, mcnemar_p, paired_difference


def _bootstrap_block(
    y: np.ndarray, codes: np.ndarray, k: int, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """(n_boot, models) resampled means of every model, clusters drawn once for all."""
    sums = np.zeros((k, y.shape[1]))
    for m in range(y.shape[1]):
        sums[:, m] = np.bincount(codes, weights=y[:, m], minlength=k)
    sizes = np.bincount(codes, minlength=k).astype(np.float64)
    counts = resample_counts(n_boot, k, rng)
    means: np.ndarray = (counts @ sums) / (counts @ sizes)[:, None]
    return means


def paired_rows(
    dense: Dense,
    binary: np.ndarray,
    pairs: Sequence[tuple[int, int]],
    n_boot: int,
    seed: int,
    level: float,
) -> dict[tuple[int, int, int], dict[str, Any]]:
    """Rows keyed by (a, b, benchmark): n, dropped, difference, ci_low, ci_high, test,
    p_value. Each benchmark's resamples come from a generator seeded by (seed, benchmark), so a
    pair's row does not depend on which other pairs are compared."""
    z = z_value(level)
    tail = (1 - level) / 2
    out: dict[tuple[int, int, int], dict[str, Any]] = {}
    for bench in range(len(dense.starts) - 1):
        s, e = int(dense.starts[bench]), int(dense.starts[bench + 1])
        if e == s:
            continue
        if bench in dense.corpus:
            out.update(_corpus_rows(dense, bench, pairs, n_boot, seed, tail))
            continue
        y = dense.scores[s:e]
        clusters = None if dense.cluster is None else dense.cluster[s:e]
        complete = dense.complete[bench]
        fast = [(a, b) for a, b in pairs if complete[a] and complete[b]]
        slow = [(a, b) for a, b in pairs if not (complete[a] and complete[b])]
        n = e - s
        if fast and binary[bench] and clusters is None:
            ones = np.nan_to_num(y)
            discordant = ones.T @ (1.0 - ones)  # [a, b]: items a got right and b wrong
            for a, b in fast:
                only_a, only_b = int(discordant[a, b]), int(discordant[b, a])
                mean = (only_a - only_b) / n
                var = ((only_a + only_b) - n * mean * mean) / (n - 1) if n > 1 else math.nan
                se = math.sqrt(max(var, 0.0) / n)
                out[(a, b, bench)] = {
                    "n": n,
                    "dropped": 0,
                    "difference": mean,
                    "ci_low": mean - z * se,
                    "ci_high": mean + z * se,
                    "test": "mcnemar_exact",
                    "p_value": mcnemar_p(only_a, only_b),
                }
        elif fast:
            codes, k = cluster_codes(clusters, n)
            rng = np.random.default_rng([seed, bench])
            means = _bootstrap_block(y, codes, k, n_boot, rng)
            left = np.array([a for a, _ in fast])
            right = np.array([b for _, b in fast])
            diffs = means[:, left] - means[:, right]
            p = two_sided_p(diffs)
            q = np.quantile(diffs, [tail, 1 - tail], axis=0)
            column_means = y.mean(axis=0)
            for j, (a, b) in enumerate(fast):
                out[(a, b, bench)] = {
                    "n": n,
                    "dropped": 0,
                    "difference": float(column_means[a] - column_means[b]),
                    "ci_low": float(q[0, j]),
                    "ci_high": float(q[1, j]),
                    "test": "paired_bootstrap",
                    "p_value": float(p[j]),
                }
        for a, b in slow:
            ya, yb = y[:, a], y[:, b]
            both = ~np.isnan(ya) & ~np.isnan(yb)
            if not both.any():
                continue
            dropped = int(np.count_nonzero(np.isnan(ya) != np.isnan(yb)))
            ya, yb = ya[both], yb[both]
            sub = None if clusters is None else clusters[both]
            diff = ya - yb
            mean, se = paired_difference(diff, sub)
            row: dict[str, Any] = {"n": len(ya), "dropped": dropped, "difference": mean}
            if binary[bench] and sub is None:
                only_a = int(np.count_nonzero((ya == 1) & (yb == 0)))
                only_b = int(np.count_nonzero((ya == 0) & (yb == 1)))
                row.update(
                    ci_low=mean - z * se,
                    ci_high=mean + z * se,
                    test="mcnemar_exact",
                    p_value=mcnemar_p(only_a, only_b),
                )
            else:
                rng = np.random.default_rng([seed, bench, a, b])
                p_value, boot = bootstrap_p_value(diff, sub, n_boot, rng)
                lo, hi = np.quantile(boot, [tail, 1 - tail])
                row.update(
                    ci_low=float(lo), ci_high=float(hi), test="paired_bootstrap", p_value=p_value
                )
            out[(a, b, bench)] = row
    return out


def _corpus_rows(
    dense: Dense,
    bench: int,
    pairs: Sequence[tuple[int, int]],
    n_boot: int,
    seed: int,
    tail: float,
) -> dict[tuple[int, int, int], dict[str, Any]]:
    """Paired bootstrap rows of a corpus-metric benchmark, on the items both models have."""
    out: dict[tuple[int, int, int], dict[str, Any]] = {}
    for a, b in pairs:
        diff, boot, n, dropped = corpus_pair(dense, bench, a, b, n_boot, seed)
        if n == 0:
            continue
        if boot.size == 0:  # fewer than 2 clusters: nothing to resample, no test
            out[(a, b, bench)] = {
                "n": n, "dropped": dropped, "difference": diff, "ci_low": math.nan,
                "ci_high": math.nan, "test": "paired_bootstrap", "p_value": 1.0,
            }  # fmt: skip
            continue
        q_low, q_high = np.quantile(boot, [tail, 1 - tail])
        out[(a, b, bench)] = {
            "n": n,
            "dropped": dropped,
            "difference": diff,
            "ci_low": float(q_low),
            "ci_high": float(q_high),
            "test": "paired_bootstrap",
            "p_value": float(two_sided_p(boot)),
        }
    return out


def corpus_pair(
    dense: Dense, bench: int, a: int, b: int, n_boot: int, seed: int
) -> tuple[float, np.ndarray, int, int]:
    """Corpus score of a − b on the benchmark's items both have, its paired bootstrap (seeded
    by the report's seed, the benchmark and the pair), the number of items and of dropped
    ones."""
    s, e = int(dense.starts[bench]), int(dense.starts[bench + 1])
    ya, yb = dense.scores[s:e, a], dense.scores[s:e, b]
    both = ~np.isnan(ya) & ~np.isnan(yb)
    dropped = int(np.count_nonzero(np.isnan(ya) != np.isnan(yb)))
    n = int(np.count_nonzero(both))
    if n == 0:
        return math.nan, np.empty(0), 0, dropped
    block = dense.corpus[bench]
    clusters = None if dense.cluster is None else dense.cluster[s:e][both]
    rng = np.random.default_rng([seed, bench, a, b])
    diff, boot = paired_corpus(
        block.metric, block.stats[both, a], block.stats[both, b], clusters, n_boot, rng
    )
    return diff, boot, n, dropped
