"""lm-evaluation-harness's bootstrap standard error, float for float, in Rust."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _native
from .._checks import integer

#: Statistics whose items are (gold, pred) label pairs rather than values.
PAIR_STATISTICS = ("f1", "mcc")
#: CPython 3.12 made ``sum()`` of floats compensated; lm-eval's means and standard deviations
#: use ``sum()``, so the kernel adds as the running interpreter does.
COMPENSATED_SUM = sys.version_info >= (3, 12)


#: More resamples than anyone asks for (lm-eval's default is 100,000): past it, a typo.
MAX_ITERS = 10**8


def _iters(iters: object) -> int:
    return integer(iters, "iters", 1, MAX_ITERS)


def _values(items: Any, statistic: str = "mean") -> np.ndarray:
    """Items as float64 numbers; NaN only where the statistic skips it (``nanmean``): a NaN
    elsewhere would make every resample, and the standard error, NaN without a word."""
    raw = np.asarray(items, dtype=object) if not isinstance(items, np.ndarray) else items
    if raw.dtype == object and raw.ndim == 1:
        none = [k for k, v in enumerate(raw.tolist()) if v is None]
        if none:
            raise TypeError(f"items[{none[0]}] is None; items must be numbers")
    try:
        values = np.asarray(items, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("items must be numbers for this statistic") from None
    if values.ndim != 1:
        raise ValueError(f"items must be a flat sequence of numbers, got shape {values.shape}")
    if statistic != "nanmean":
        nan = np.flatnonzero(np.isnan(values))
        if nan.size:
            raise ValueError(
                f"items[{nan[0]}] is NaN ({nan.size} in all): {statistic!r} would be NaN on every "
                "resample; drop them or use 'nanmean'"
            )
    return np.ascontiguousarray(values)


def _pairs(items: Any, statistic: str) -> tuple[np.ndarray, np.ndarray, int]:
    """(gold codes, pred codes, number of classes) from (gold, pred) pairs."""
    try:
        pairs = np.asarray(items)
    except ValueError:
        raise ValueError(f"items must be (gold, pred) pairs for {statistic}") from None
    if pairs.ndim != 2 or pairs.shape[1] != 2:
        raise ValueError(
            f"items must be (gold, pred) pairs for {statistic}, got shape {pairs.shape}"
        )
    if statistic == "f1":  # scikit-learn's binary F1: the positive label is 1
        if pairs.dtype.kind not in "biuf" or not np.isin(pairs, (0, 1)).all():
            bad = int(np.flatnonzero(~np.isin(pairs, (0, 1)).all(axis=1))[0])
            raise ValueError(f"f1 is binary: item {bad} holds a label other than 0 or 1")
        codes = pairs.astype(np.uint32)
        return np.ascontiguousarray(codes[:, 0]), np.ascontiguousarray(codes[:, 1]), 2
    labels, inverse = np.unique(pairs.ravel(), return_inverse=True)
    table = inverse.reshape(pairs.shape).astype(np.uint32)
    return np.ascontiguousarray(table[:, 0]), np.ascontiguousarray(table[:, 1]), len(labels)


def bootstrap_stderr(
    statistic: str, items: Sequence[Any] | np.ndarray, iters: int = 100_000
) -> float:
    """The bootstrap standard error lm-evaluation-harness reports, float for float.

    Draws the same resamples as ``lm_eval.api.metrics.bootstrap_stderr`` (chunk ``i`` of
    ``min(1000, iters)`` resamples uses ``random.Random(i).choices``), computes the same
    statistic on each and returns the same sample standard deviation, in parallel over chunks.

    Parameters
    ----------
    statistic : {"mean", "median", "nanmean", "perplexity", "f1", "mcc"}
        As lm-eval's aggregations of those names: ``perplexity`` is ``exp(-mean)`` of
        log-likelihoods, ``f1`` scikit-learn's binary F1 (positive label 1), ``mcc`` its
        Matthews correlation over any labels.
    items : sequence of numbers, or of (gold, pred) pairs for f1 and mcc
        Shape (N,) or (N, 2), as lm-eval passes them to the aggregation.
    iters : int
        Resamples, as lm-eval's ``bootstrap_iters``; ``iters // min(1000, iters)`` chunks of
        ``min(1000, iters)`` are drawn, as lm-eval does.

    Notes
    -----
    Equal to lm-eval's float on the Python running it: CPython ≥ 3.12 sums floats with
    compensation, and the kernel sums as the running interpreter does.
    """
    n = _iters(iters)
    if not isinstance(statistic, str):
        raise TypeError(f"statistic must be a str, got {type(statistic).__name__}")
    if statistic in PAIR_STATISTICS:
        gold, pred, classes = _pairs(items, statistic)
        return float(
            _native.lm_eval_bootstrap_labels(statistic, gold, pred, classes, n, COMPENSATED_SUM)
        )
    values = _values(items, statistic)
    return float(_native.lm_eval_bootstrap_values(statistic, values, n, COMPENSATED_SUM))


def bootstrap_replicates(
    statistic: str, items: Sequence[float] | np.ndarray, iters: int
) -> np.ndarray:
    """The per-resample statistics behind :func:`bootstrap_stderr` (value statistics only),
    in lm-eval's order, shape (iters // min(1000, iters) · min(1000, iters),)."""
    if not isinstance(statistic, str):
        raise TypeError(f"statistic must be a str, got {type(statistic).__name__}")
    return _native.lm_eval_bootstrap_replicates(
        statistic, _values(items, statistic), _iters(iters), COMPENSATED_SUM
    )
