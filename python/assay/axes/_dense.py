"""The results laid out per benchmark as a dense items × models matrix, so that resampling
draws once per benchmark and serves every model (items, their clusters and subgroups are the
same for every model)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .. import _native


@dataclass(frozen=True)
class Dense:
    """Units are (benchmark, item) pairs sorted by benchmark; ``starts[b]:starts[b+1]`` are the
    units of benchmark b. ``scores`` is (units, models) with NaN where a model lacks the item."""

    scores: np.ndarray
    starts: np.ndarray
    cluster: np.ndarray | None  # per unit
    group: np.ndarray | None  # per unit
    complete: np.ndarray  # (benchmarks, models): the model has every item of the benchmark
    corpus: dict[int, CorpusBlock] = field(default_factory=dict)  # corpus-metric benchmarks


@dataclass(frozen=True)
class CorpusBlock:
    """A corpus-metric benchmark's per-item sufficient statistics: ``stats`` is (units of the
    benchmark, models, width), zero where a model lacks the item."""

    metric: str
    stats: np.ndarray


def codes32(values: np.ndarray) -> np.ndarray:
    """Category codes as the kernels' uint32 (no copy when they already are)."""
    return np.ascontiguousarray(values, dtype=np.uint32)


def build_dense(
    model: np.ndarray,
    benchmark: np.ndarray,
    item: np.ndarray,
    score: np.ndarray,
    cluster: np.ndarray | None,
    group: np.ndarray | None,
    n_models: int,
    n_benchmarks: int,
    n_items: int,
    keep: np.ndarray | None = None,
    corpus: Mapping[int, tuple[str, np.ndarray, np.ndarray]] | None = None,
) -> Dense:
    """The dense layout of the rows (those where ``keep``), in one native pass that also
    names repeated (model, benchmark, item) rows and items split across clusters or subgroups.
    ``corpus`` maps a corpus-metric benchmark to (metric, its rows, their statistics (rows,
    width))."""
    scores, keys, starts, unit_cluster, unit_group, complete = _native.axes_layout(
        codes32(model), codes32(benchmark), codes32(item),
        np.ascontiguousarray(score, dtype=np.float64),
        None if cluster is None else codes32(cluster),
        None if group is None else codes32(group),
        keep, n_models, n_benchmarks, n_items,
    )  # fmt: skip
    blocks = {}
    for b, (metric, rows, stats) in (corpus or {}).items():
        block = np.zeros((int(starts[b + 1] - starts[b]), n_models, stats.shape[1]))
        unit = np.searchsorted(
            keys, np.uint64(b) * np.uint64(n_items) + item[rows].astype(np.uint64)
        )
        block[unit - starts[b], model[rows]] = stats
        blocks[b] = CorpusBlock(metric, block)
    return Dense(
        scores=scores,
        starts=starts,
        cluster=unit_cluster,
        group=unit_group,
        complete=complete,
        corpus=blocks,
    )


def resample_counts(n_boot: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot, k) counts: how often each of k units is drawn in each of n_boot resamples of k
    units with replacement."""
    draws = rng.integers(0, k, size=(n_boot, k), dtype=np.int64)
    draws += (np.arange(n_boot, dtype=np.int64) * k)[:, None]
    return np.bincount(draws.ravel(), minlength=n_boot * k).reshape(n_boot, k).astype(np.float64)


def unique_codes(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique keys, each key's index among them) of non-negative int64 keys: by a
    presence table in one pass when the keys' range is small (under 4 per row, or 2²⁰), by
    sorting otherwise (``np.unique``)."""
    if not len(key):
        return key[:0], key[:0]
    top = int(key.max()) + 1
    if top > max(4 * len(key), 1 << 20):
        return np.unique(key, return_inverse=True)
    present = np.bincount(key, minlength=top) > 0
    lookup = np.cumsum(present, dtype=np.int64) - 1
    return np.flatnonzero(present), lookup[key]


def cluster_codes(cluster: np.ndarray | None, n: int) -> tuple[np.ndarray, int]:
    """Items' cluster codes 0 … k−1 (every item its own cluster without clusters)."""
    if cluster is None:
        return np.arange(n), n
    _, codes = np.unique(cluster, return_inverse=True)
    return codes, int(codes.max()) + 1 if n else 0


def two_sided_p(boot: np.ndarray, axis: int = 0) -> np.ndarray:
    """The bootstrap p-value of a zero difference: 2 · min(share ≤ 0, share ≥ 0), at most 1."""
    n = boot.shape[axis]
    low = np.count_nonzero(boot <= 0, axis=axis) / n
    high = np.count_nonzero(boot >= 0, axis=axis) / n
    out: np.ndarray = np.minimum(1.0, 2.0 * np.minimum(low, high))
    return out
