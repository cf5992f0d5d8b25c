"""lighteval's bootstrap standard error, and the correctly scaled one.

lighteval 0.13's ``bootstrap_stderr`` draws its resamples as lm-eval does (chunk ``i`` of
``min(1000, iters)`` resamples from ``random.Random(i).choices``) but returns
``mean_stderr`` of the resample statistics: their standard deviation divided by the square
root of the number of resamples, √1000 ≈ 31.6 times smaller than the bootstrap standard error
it means to estimate. ``scale="lighteval"`` reproduces its float (to check against a lighteval
run); the default ``"corrected"`` is the standard deviation of the resample statistics, the
bootstrap standard error: a deliberate difference from lighteval's number."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._bootstrap import bootstrap_replicates

SCALES = ("corrected", "lighteval")


def lighteval_bootstrap_stderr(
    statistic: str,
    items: Sequence[float] | np.ndarray,
    iters: int = 1000,
    *,
    scale: str = "corrected",
) -> float:
    """Bootstrap standard error of ``statistic`` over ``items`` with lighteval's resamples.

    ``statistic``: ``"mean"``, ``"median"``, ``"nanmean"`` or ``"perplexity"``, as lm-eval
    defines them (lighteval takes any callable; these are the ones computed here). ``iters``:
    lighteval's ``number_experiments``. ``scale="corrected"`` gives the standard deviation of
    the resample statistics; ``"lighteval"`` lighteval's reported value (that divided by
    √(resamples)), operation for operation: NumPy's mean, then a plain left-to-right sum of
    squared deviations (NumPy scalars bypass CPython 3.12's compensated ``sum``).
    """
    if not isinstance(scale, str) or scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    reps = bootstrap_replicates(statistic, items, iters)
    if len(reps) < 2:
        raise ValueError("iters: the standard deviation needs >= 2 resamples")
    mu = np.mean(reps)
    squares: Any = (reps - mu) ** 2
    total = float(np.cumsum(squares)[-1])  # sequential, as sum() over NumPy scalars
    stddev = math.sqrt(total / (len(reps) - 1))
    return stddev / math.sqrt(len(reps)) if scale == "lighteval" else stddev
