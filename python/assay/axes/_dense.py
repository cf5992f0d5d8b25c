"""The results laid out per benchmark as a dense items × models matrix, so that resampling
draws once per benchmark and serves every model (items, their clusters and subgroups are the
same for every model)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np


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


def _per_unit(
    values: np.ndarray | None, inverse: np.ndarray, units: int, what: str
) -> np.ndarray | None:
    if values is None:
        return None
    out = np.empty(units, dtype=np.int64)
    out[inverse] = values
    if not np.array_equal(out[inverse], values):
        row = int(np.flatnonzero(out[inverse] != values)[0])
        raise ValueError(
            f"{what}: an item must be in one {what} for every model; row {row} differs"
        )
    return out


def build_dense(
    model: np.ndarray,
    benchmark: np.ndarray,
    item: np.ndarray,
    score: np.ndarray,
    cluster: np.ndarray | None,
    group: np.ndarray | None,
    n_models: int,
    n_benchmarks: int,
    corpus: Mapping[int, tuple[str, np.ndarray, np.ndarray]] | None = None,
) -> Dense:
    """The dense layout; ``corpus`` maps a corpus-metric benchmark to (metric, its rows,
    their statistics (rows, width))."""
    width = int(item.max()) + 1 if len(item) else 1
    key = benchmark * width + item
    units, inverse = unique_codes(key)
    scores = np.full((len(units), n_models), np.nan)
    scores[inverse, model] = score
    bench_of_unit = units // width
    starts = np.searchsorted(bench_of_unit, np.arange(n_benchmarks + 1))
    present = np.zeros((len(units), n_models), dtype=bool)
    present[inverse, model] = True
    complete = np.ones((n_benchmarks, n_models), dtype=bool)
    for b in range(n_benchmarks):
        complete[b] = present[starts[b] : starts[b + 1]].all(axis=0)
    blocks = {}
    for b, (metric, rows, stats) in (corpus or {}).items():
        block = np.zeros((int(starts[b + 1] - starts[b]), n_models, stats.shape[1]))
        block[inverse[rows] - starts[b], model[rows]] = stats
        blocks[b] = CorpusBlock(metric, block)
    return Dense(
        corpus=blocks,
        scores=scores,
        starts=starts,
        cluster=_per_unit(cluster, inverse, len(units), "cluster"),
        group=_per_unit(group, inverse, len(units), "group"),
        complete=complete,
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
