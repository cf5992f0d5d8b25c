"""Corpus metrics in the per-axis report: BLEU, chrF and chrF++ are not means of per-item
scores but functions of the statistics summed over the items (n-gram matches and totals, as
sacrebleu scores a corpus). Each item carries its sufficient statistics; a cell's estimate is
the metric of their sum, the same float as sacrebleu's corpus score, and its errors and
intervals come from resampling items (or clusters) and re-scoring the resampled sums, which is
what a corpus bootstrap of the texts computes, without re-tokenising anything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import choice
from .._texts import predictions_and_references
from ..metrics.statistics import MAX_NGRAM_ORDER
from ..metrics.statistics import bleu_score as _score
from ..metrics.statistics import bleu_segment_statistics as _bleu_statistics
from ..metrics.statistics import chrf_score as f_score
from ..metrics.statistics import chrf_segment_statistics as _chrf_statistics
from ._dense import resample_counts

#: Corpus metrics a benchmark may declare as its kind, and the width of their statistics:
#: BLEU ``sys_len, ref_len, correct_1..4, total_1..4``; chrF ``[hyp, ref, match]`` per
#: character order (6) and, for chrF++, per word order (2). sacrebleu's defaults (13a, chrF2).
CORPUS_WIDTHS = {"bleu": 2 + 2 * MAX_NGRAM_ORDER, "chrf": 18, "chrf++": 24}


def corpus_statistics(metric: str, predictions: Any, references: Any) -> np.ndarray:
    """Per-item sufficient statistics of ``metric`` (``"bleu"``, ``"chrf"`` or ``"chrf++"``),
    shape (N, width) int64, for the results table of :func:`assay.axes.report`
    (``kind={benchmark: metric}``, ``statistics=``). ``references``: a str or a list of str
    per prediction. Summed over any subset of items, they give sacrebleu's corpus score of it
    (default settings: BLEU with the 13a tokenizer, chrF2 and chrF2++)."""
    choice(metric, "metric", tuple(CORPUS_WIDTHS))
    hyps, refs = predictions_and_references(predictions, references)
    if metric == "bleu":
        return _bleu_statistics(hyps, refs, "13a", False, MAX_NGRAM_ORDER)
    word_order = 2 if metric == "chrf++" else 0
    return _chrf_statistics(hyps, refs, 6, word_order, 2, False, False, False)


def corpus_score(metric: str, totals: Sequence[float]) -> float:
    """``metric`` of summed statistics, sacrebleu's float (BLEU: exp smoothing)."""
    row = [int(x) for x in totals]
    if metric == "bleu":
        return _score(row, "exp", None, False, MAX_NGRAM_ORDER).score
    return f_score(row, 2, False)


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


def cluster_codes(cluster: np.ndarray | None, n: int) -> tuple[np.ndarray, int]:
    """Items' cluster codes 0 … k−1 (every item its own cluster without clusters)."""
    if cluster is None:
        return np.arange(n), n
    _, codes = np.unique(cluster, return_inverse=True)
    return codes, int(codes.max()) + 1 if n else 0


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
    sacrebleu's paired bootstrap resampling does with segments)."""
    codes, k = cluster_codes(cluster, len(stats_a))
    draws = resample_counts(n_boot, k, rng)
    diff = corpus_score(metric, stats_a.sum(axis=0)) - corpus_score(metric, stats_b.sum(axis=0))
    boot = resampled_scores(metric, stats_a, codes, k, draws) - resampled_scores(
        metric, stats_b, codes, k, draws
    )
    return diff, boot
