"""lm-evaluation-harness's bootstrap standard error of corpus metrics (BLEU, chrF, chrF++, TER),
float for float: each segment's sufficient statistics are computed once, and a resample's
corpus score is the score of its summed statistics, which is what sacrebleu computes from the
resampled segments."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _native
from ..metrics.statistics import compute_ter, segment_statistics, ter_statistics
from ..metrics.statistics import corpus_score as corpus_score_of_totals
from ..metrics.statistics import ter_score as _summed
from ._bootstrap import _iters

#: lm-eval's corpus aggregations and the sacrebleu settings they use.
CORPUS_METRICS = ("bleu", "chrf", "chrf++", "ter")


def _split_items(items: Sequence[Any]) -> tuple[list[str], list[list[str]]]:
    """lm-eval's (reference(s), prediction) items as predictions and per-item reference lists,
    as its ``_sacreformat`` reads them."""
    if isinstance(items, (str, bytes)) or not hasattr(items, "__len__"):
        raise TypeError(f"items must be a list of (reference, prediction) pairs, got "
                        f"{type(items).__name__}")  # fmt: skip
    if not len(items):
        raise ValueError("items is empty")
    preds: list[str] = []
    refs: list[list[str]] = []
    for i, item in enumerate(items):
        if isinstance(item, (str, bytes)) or not isinstance(item, Sequence) or len(item) != 2:
            raise ValueError(f"items[{i}] must be a (reference, prediction) pair")
        ref, pred = item
        if isinstance(pred, (list, tuple)) and len(pred) == 1:
            pred = pred[0]  # lm-eval's _sacreformat takes one-element prediction lists
        if not isinstance(pred, str):
            raise TypeError(f"items[{i}]: the prediction must be a str")
        ref_list = [ref] if isinstance(ref, str) else list(ref)
        if not ref_list or not all(isinstance(r, str) for r in ref_list):
            raise TypeError(f"items[{i}]: the reference must be a str or a list of str")
        preds.append(pred)
        refs.append(ref_list)
    return preds, refs


def _statistics(metric: str, preds: list[str], refs: list[list[str]]) -> np.ndarray:
    if metric == "ter":  # (edits, mean reference length) per segment
        edits, lengths = ter_statistics(preds, refs)
        return np.column_stack([np.asarray(edits, dtype=np.float64), lengths])
    return segment_statistics(metric, preds, refs)


def corpus_score(metric: str, items: Sequence[Any]) -> float:
    """lm-eval's ``bleu``, ``chrf``, ``chrf++`` or ``ter`` aggregation of ``items`` ((reference,
    prediction) pairs): sacrebleu's corpus score of them, references zipped into streams cut to
    the fewest any item has, as lm-eval's ``_sacreformat`` does. The same float."""
    if not isinstance(metric, str) or metric not in CORPUS_METRICS:
        raise ValueError(f"metric: unknown corpus metric {metric!r}; use one of {CORPUS_METRICS}")
    preds, refs = _split_items(items)
    width = min(len(r) for r in refs)
    stats = _statistics(metric, preds, [r[:width] for r in refs])
    if metric == "ter":
        edits, lengths = stats.T.tolist()
        return _summed([int(e) for e in edits], lengths).score
    return corpus_score_of_totals(metric, [int(x) for x in stats.sum(axis=0)])


def corpus_bootstrap_stderr(metric: str, items: Sequence[Any], iters: int = 100) -> float:
    """lm-eval's ``bootstrap_stderr`` of its ``bleu``, ``chrf``, ``chrf++`` or ``ter``
    aggregation over ``items`` ((reference, prediction) pairs as lm-eval collects them), equal
    to its float.

    lm-eval draws ``iters // min(1000, iters)`` chunks of resamples (chunk i from
    ``random.Random(i)``) and scores each resample with ``sacrebleu.corpus_*``; its evaluator
    uses ``iters = min(bootstrap_iters, 100)`` for these metrics. References zipped into
    streams are cut to the fewest any resampled item has, as lm-eval's ``zip`` does.
    """
    if not isinstance(metric, str) or metric not in CORPUS_METRICS:
        raise ValueError(f"metric: unknown corpus metric {metric!r}; use one of {CORPUS_METRICS}")
    n_iters = _iters(iters)
    preds, refs = _split_items(items)
    counts = np.array([len(r) for r in refs])
    # statistics for every reference count a resample's zip can cut to
    stats = {
        int(m): _statistics(metric, preds, [r[:m] if len(r) >= m else r for r in refs])
        for m in np.unique(counts)
    }
    cells = (n_iters // min(1000, n_iters)) * min(1000, n_iters) * len(preds)
    if cells > 1 << 28:  # the resample table is rounds × items u32 and int64
        raise ValueError(
            f"iters: {n_iters} resamples of {len(preds)} items need {cells * 12 / 2**30:.0f} GiB "
            "of resample tables; lm-eval itself uses at most 100 for corpus metrics"
        )
    indices = _native.lm_eval_resample_indices(len(preds), n_iters)
    n, rounds = len(preds), len(indices)
    # each resample's summed statistics: draw counts (rounds × n) times per-item statistics,
    # one integer product per reference width
    draws = np.bincount(
        (indices + (np.arange(rounds, dtype=np.int64) * n)[:, None]).ravel(),
        minlength=rounds * n,
    ).reshape(rounds, n)
    widths = counts[indices].min(axis=1)
    if metric == "ter":
        scores = _ter_scores(stats, indices, draws, widths)
        return _sample_stddev(scores)
    totals = np.empty((rounds, next(iter(stats.values())).shape[1]), dtype=np.int64)
    for width in np.unique(widths):
        rows = widths == width
        totals[rows] = draws[rows] @ stats[int(width)]
    return _sample_stddev([corpus_score_of_totals(metric, row) for row in totals.tolist()])


def _ter_scores(
    stats: dict[int, np.ndarray], indices: np.ndarray, draws: np.ndarray, widths: np.ndarray
) -> list[float]:
    """Each resample's corpus TER: edit counts summed exactly; mean reference lengths (floats)
    summed left to right in the resample's order, as sacrebleu's ``sum_of_lists``."""
    scores = np.empty(len(indices))
    for width in np.unique(widths):
        rows = np.flatnonzero(widths == width)
        table = stats[int(width)]
        edits = draws[rows] @ table[:, 0].astype(np.int64)
        lengths = np.cumsum(table[indices[rows], 1], axis=1)[:, -1]  # sequential sums
        for r, e, n in zip(rows, edits.tolist(), lengths.tolist(), strict=True):
            scores[r] = compute_ter(e, n).score
    out: list[float] = scores.tolist()
    return out


def _sample_stddev(scores: list[float]) -> float:
    if len(scores) < 2:
        raise ValueError("iters: the standard deviation needs >= 2 resamples")
    mu = sum(scores) / len(scores)  # lm-eval's sample_stddev, CPython's own sums
    return math.sqrt(sum([(x - mu) ** 2 for x in scores]) / (len(scores) - 1))
