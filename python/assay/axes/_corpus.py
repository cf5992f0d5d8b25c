"""Corpus metrics in the per-axis report: BLEU, chrF and chrF++ are not means of per-item
scores but functions of the statistics summed over the items (n-gram matches and totals, as
sacrebleu scores a corpus). Each item carries its sufficient statistics; a cell's estimate is
the metric of their sum, the same float as sacrebleu's corpus score, and its errors and
intervals come from resampling items (or clusters) and re-scoring the resampled sums, which is
what a corpus bootstrap of the texts computes, without re-tokenising anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import choice
from .._texts import predictions_and_references
from ..metrics.statistics import DEFAULT_WIDTHS, corpus_score, segment_statistics
from ._dense import cluster_codes, resample_counts

#: Corpus metrics a benchmark may declare as its kind, and the width of their statistics.
CORPUS_WIDTHS = DEFAULT_WIDTHS


def corpus_statistics(metric: str, predictions: Any, references: Any) -> np.ndarray:
    """Per-item sufficient statistics of ``metric`` (``"bleu"``, ``"chrf"`` or ``"chrf++"``),
    shape (N, width) int64, for the results table of :func:`assay.axes.report`
    (``kind={benchmark: metric}``, ``statistics=``). ``references``: a str or a list of str
    per prediction. Summed over any subset of items, they give sacrebleu's corpus score of it
    (default settings: BLEU with the 13a tokenizer, chrF2 and chrF2++)."""
    choice(metric, "metric", tuple(CORPUS_WIDTHS))
    return segment_statistics(metric, *predictions_and_references(predictions, references))


def resampled_scores(
    metric: str,
    stats: np.ndarray,
    codes: np.ndarray,
    k: int,
    draws: np.ndarray,
) -> np.ndarray:
    """The corpus score of each resample: ``draws`` (rounds, k) counts how often each of k
    clusters (``codes`` per item) is drawn; a resample's statistics are the drawn clusters'
    sums."""
    sums = np.zeros((k, stats.shape[1]))
    np.add.at(sums, codes, stats)
    totals = draws @ sums
    return np.array([corpus_score(metric, row) for row in totals.tolist()])


@dataclass(frozen=True)
class CorpusCell:
    """One cell's corpus estimate and its bootstrap errors and interval."""

    n: int
    n_clusters: int
    estimate: float
    se: float
    se_cluster: float
    ci_low: float
    ci_high: float


def corpus_cell(
    metric: str,
    stats: np.ndarray,
    cluster: np.ndarray | None,
    n_boot: int,
    rng: np.random.Generator,
    tail: float,
) -> CorpusCell:
    """The metric of the summed ``stats`` (items × width); ``se`` the standard deviation of
    resamples of items, ``se_cluster`` and the percentile interval those of resamples of
    clusters (the same as items without clusters). Under 2 items or clusters: NaN errors."""
    n = len(stats)
    estimate = corpus_score(metric, stats.sum(axis=0))
    codes, k = cluster_codes(cluster, n)
    nan = float("nan")
    if n < 2:
        return CorpusCell(n, k, estimate, nan, nan, nan, nan)
    item_scores = resampled_scores(metric, stats, np.arange(n), n, resample_counts(n_boot, n, rng))
    se = float(np.std(item_scores, ddof=1))
    if cluster is None:
        boot, se_cluster = item_scores, se
    elif k < 2:
        return CorpusCell(n, k, estimate, se, nan, nan, nan)
    else:
        boot = resampled_scores(metric, stats, codes, k, resample_counts(n_boot, k, rng))
        se_cluster = float(np.std(boot, ddof=1))
    low, high = np.quantile(boot, [tail, 1 - tail])
    return CorpusCell(n, k, estimate, se, se_cluster, float(low), float(high))


def paired_corpus(
    metric: str,
    stats_a: np.ndarray,
    stats_b: np.ndarray,
    cluster: np.ndarray | None,
    n_boot: int,
    rng: np.random.Generator,
) -> tuple[float, np.ndarray]:
    """Corpus score of a minus that of b on the same items, and the paired bootstrap of that
    difference: each round draws clusters once and re-scores both models on them (as
    sacrebleu's paired bootstrap resampling does with segments). Under 2 clusters the bootstrap
    is empty."""
    diff = corpus_score(metric, stats_a.sum(axis=0)) - corpus_score(metric, stats_b.sum(axis=0))
    codes, k = cluster_codes(cluster, len(stats_a))
    if k < 2:  # nothing to resample: no interval, no test
        return diff, np.empty(0)
    draws = resample_counts(n_boot, k, rng)
    boot = resampled_scores(metric, stats_a, codes, k, draws) - resampled_scores(
        metric, stats_b, codes, k, draws
    )
    return diff, boot
