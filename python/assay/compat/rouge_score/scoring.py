"""``rouge_score.scoring``: the ``Score`` and ``AggregateScore`` named tuples, ``fmeasure``,
and ``BootstrapAggregator`` with its semantics (``mid`` is the median of bootstrap means, the
resamples drawn from NumPy's global generator exactly as ``rouge_score`` draws them, so a
seeded run gives its numbers)."""

from __future__ import annotations

import abc
from collections import defaultdict
from typing import Any, NamedTuple

import numpy as np


class Score(NamedTuple):
    """Precision, recall and F-measure of one ROUGE type (fractions in [0, 1])."""

    precision: float
    recall: float
    fmeasure: float


class AggregateScore(NamedTuple):
    """Low, mid and high bounds of an aggregated score."""

    low: Any
    mid: Any
    high: Any


class BaseScorer(metaclass=abc.ABCMeta):
    """A scorer: ``score(target, prediction)`` gives a dict of score type to ``Score``."""

    @abc.abstractmethod
    def score(self, target: str, prediction: str) -> dict[str, Score]:
        """Scores of ``prediction`` against ``target``."""


def fmeasure(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall (0 when both are 0)."""
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0


class BootstrapAggregator:
    """Confidence intervals of mean scores by bootstrap resampling, as ``rouge_score``.

    ``aggregate()`` draws ``n_samples`` resamples of the added items (with replacement, from
    NumPy's global generator, one ``np.random.choice`` per resample, as the reference does),
    and returns per score type the ``confidence_interval`` percentile bounds and the median
    of the resample means. One added item gives that item back.
    """

    def __init__(self, confidence_interval: float = 0.95, n_samples: int = 1000) -> None:
        if confidence_interval < 0 or confidence_interval > 1:
            raise ValueError("confidence_interval must be in range [0, 1]")
        if n_samples <= 0:
            raise ValueError("n_samples must be positive")
        self._n_samples = n_samples
        self._confidence_interval = confidence_interval
        self._scores: defaultdict[str, list[Any]] = defaultdict(list)

    def add_scores(self, scores: dict[str, Any]) -> None:
        """Adds one item's scores (score type → ``Score`` or any tuple of numbers)."""
        for score_type, score in scores.items():
            self._scores[score_type].append(score)

    def aggregate(self) -> dict[str, AggregateScore]:
        """Score type → ``AggregateScore(low, mid, high)`` of the added items."""
        result = {}
        for score_type, scores in self._scores.items():
            matrix = np.vstack(tuple(scores))
            percentiles = self._bootstrap_resample(matrix)
            cls = scores[0].__class__
            low, mid, high = (cls(*percentiles[j, :]) for j in range(3))
            result[score_type] = AggregateScore(low=low, mid=mid, high=high)
        return result

    def _bootstrap_resample(self, matrix: np.ndarray) -> np.ndarray:
        """(3, measures) low / mid / high percentiles of the resample means of ``matrix``
        (items, measures). The draws are the reference's: ``np.random.choice(arange(n), n)``
        per resample is ``randint(0, n, n)`` on the legacy generator, so one call for all
        resamples reads the same stream."""
        n = matrix.shape[0]
        idx = np.random.randint(0, n, size=(self._n_samples, n))  # noqa: NPY002 (the reference's)
        sample_mean = np.empty((self._n_samples, matrix.shape[1]))
        chunk = max(1, 2**22 // (n * matrix.shape[1]))  # about 32 MiB of gathered rows
        for start in range(0, self._n_samples, chunk):
            rows = idx[start : start + chunk]
            # Row by row along the items axis, as np.mean(sample, axis=0) adds them.
            sample_mean[start : start + chunk] = matrix[rows].mean(axis=1)
        delta = (1 - self._confidence_interval) / 2
        q = 100 * np.array([delta, 0.5, 1 - delta])
        return np.asarray(np.percentile(sample_mean, q, axis=0))
